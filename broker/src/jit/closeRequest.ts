import type { AccessRequestView } from '@strongroom/shared/protocol/jitApi.js';
import { apiAuditEvent } from '../api/apiAuditEvent.js';
import { auditRefusal } from '../api/auditRefusal.js';
import type { ApiCaller } from '../api/auth/ApiCaller.js';
import { BrokerError } from '../errors/BrokerError.js';
import { mayApprove } from './eligibleApprovers.js';
import type { JitDeps } from './JitDeps.js';
import { endGrantInTx } from './endGrantInTx.js';
import { toRequestView } from './toRequestView.js';

/**
 * `deny` (an eligible approver, not the requester, with a reason) or `cancel` (the requester) a
 * pending request; cancelling an approved one also ends its not-yet-used grant. Audited with the
 * change in one transaction; refusals audited on their own.
 */
export async function closeRequest(
  deps: JitDeps,
  caller: ApiCaller,
  requestId: string,
  how: { kind: 'deny'; reason: string } | { kind: 'cancel' },
): Promise<{ request: AccessRequestView }> {
  const { store } = deps;
  const now = deps.now();
  const bundle = deps.policy.bundle;
  const actor = { kind: 'user' as const, userId: caller.user.id, email: caller.user.email };
  const name = how.kind === 'deny' ? 'jit.deny' : 'jit.cancel';
  // Eligibility reads posture through the store (not usable inside the transaction): decided first.
  const known = how.kind === 'deny' ? await store.getAccessRequest(requestId) : undefined;
  const eligible = known
    ? await mayApprove(deps, store, bundle, caller.user, known, {
        thumbprint: caller.thumbprint,
        srcIp: caller.srcIp,
      })
    : { allowed: false, reasons: ['no such request'] };
  const outcome = await store.transaction(async (tx) => {
    const request = await tx.getAccessRequest(requestId);
    if (!request)
      return { error: new BrokerError('not_found', 'no such request'), reason: 'unknown_request' };
    const closable = request.status === 'pending' && request.expiresAt > now;
    if (how.kind === 'cancel') {
      if (request.requesterId !== caller.user.id)
        return {
          error: new BrokerError('forbidden', 'only the requester can cancel a request'),
          reason: 'not_requester',
        };
      const grant = request.status === 'approved' ? await tx.getGrantByRequest(request.id) : undefined;
      const grantUnused = grant !== undefined && grant.status === 'approved';
      if (!closable && !grantUnused)
        return {
          error: new BrokerError('request_closed', `the request is ${request.status}`),
          reason: 'closed',
        };
      if (
        !(await tx.setAccessRequestStatus(request.id, request.status, 'cancelled', {
          at: now,
          by: caller.user.id,
        }))
      )
        return { error: new BrokerError('request_closed', 'the request changed meanwhile'), reason: 'race' };
      if (grant && grantUnused)
        await endGrantInTx(tx, grant, now, 'cancelled', { actor, time: now, srcIp: caller.srcIp });
    } else {
      if (request.requesterId === caller.user.id)
        return {
          error: new BrokerError('self_approval', 'cancel your own request instead of denying it'),
          reason: 'self',
        };
      if (!closable)
        return {
          error: new BrokerError(
            'request_closed',
            `the request is ${request.status === 'pending' ? 'expired' : request.status}`,
          ),
          reason: 'closed',
        };
      if (!eligible.allowed)
        return {
          error: new BrokerError('policy_denied', `not eligible to decide: ${eligible.reasons.join('; ')}`),
          reason: 'not_eligible',
        };
      await tx.setAccessRequestStatus(request.id, 'pending', 'denied', {
        at: now,
        by: caller.user.id,
        denyReason: how.reason,
      });
    }
    await tx.appendAudit(
      apiAuditEvent('api', {
        name,
        outcome: 'success',
        actor,
        time: now,
        srcIp: caller.srcIp,
        method: 'PUT',
        data: {
          requestId,
          target: request.target,
          requesterId: request.requesterId,
          ...(how.kind === 'deny' ? { reason: how.reason } : {}),
        },
      }),
    );
    await tx.appendUserEvent({
      userId: request.requesterId,
      type: how.kind === 'deny' ? 'request.denied' : 'request.cancelled',
      data: {
        requestId,
        target: request.target,
        by: caller.user.email,
        ...(how.kind === 'deny' ? { reason: how.reason } : {}),
      },
      createdAt: now,
    });
    const updated = await tx.getAccessRequest(requestId);
    return { view: toRequestView(updated ?? request, await tx.listApprovals(requestId), null, now) };
  });
  if (outcome.error !== undefined) {
    return auditRefusal(
      store,
      apiAuditEvent('api', {
        name,
        outcome: 'failure',
        actor,
        time: now,
        srcIp: caller.srcIp,
        method: 'PUT',
        data: { requestId, reason: outcome.reason },
      }),
      outcome.error,
    );
  }
  deps.eventsCommitted();
  return { request: outcome.view };
}
