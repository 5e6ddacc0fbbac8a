import { randomUUID } from 'node:crypto';
import type { AccessRequestView, ApproveRequest, GrantView } from '@strongroom/shared/protocol/jitApi.js';
import { apiAuditEvent } from '../api/apiAuditEvent.js';
import { auditRefusal } from '../api/auditRefusal.js';
import type { ApiCaller } from '../api/auth/ApiCaller.js';
import { BrokerError } from '../errors/BrokerError.js';
import type { GrantRecord } from '../store/jitRecords.js';
import { assertionOf } from '../webauthn/assertionOf.js';
import { verifyLoginAssertion } from '../webauthn/verifyLoginAssertion.js';
import { takeApprovalChallenge } from './approvalChallenge.js';
import { mayApprove } from './eligibleApprovers.js';
import type { JitDeps } from './JitDeps.js';
import { toGrantView } from './toGrantView.js';
import { toRequestView } from './toRequestView.js';

type Outcome =
  | { ok: true; request: AccessRequestView; grant: GrantView | null }
  | { ok: false; error: BrokerError; reason: string; severityId?: number; facts?: Record<string, unknown> };

type Refusal = Extract<Outcome, { ok: false }>;

const refused = (
  code: ConstructorParameters<typeof BrokerError>[0],
  message: string,
  reason: string,
  severityId?: number,
): Refusal => ({
  ok: false,
  error: new BrokerError(code, message),
  reason,
  ...(severityId ? { severityId } : {}),
});

/**
 * `POST /api/v1/requests/{id}/approve`. In one transaction, in this order: the approver's challenge
 * for this request is used up (whatever follows, it never works twice); the requester cannot
 * approve; only a pending, unexpired request can be approved; an approver counts once; the
 * approver must be eligible by policy (Cedar `approve`) now; the assertion must verify against
 * the approver's own registered key with UV, our origin and RP ID, a rising counter, over the
 * challenge that commits to this request's content (approvalChallenge.ts). With enough distinct
 * approvals the request is approved and a grant waits for activation. Refusals are audited.
 */
export async function approveRequest(
  deps: JitDeps,
  caller: ApiCaller,
  requestId: string,
  body: ApproveRequest,
): Promise<{ request: AccessRequestView; grant: GrantView | null }> {
  const { store } = deps;
  const now = deps.now();
  const bundle = deps.policy.bundle;
  const actor = { kind: 'user' as const, userId: caller.user.id, email: caller.user.email };

  // Eligibility reads device posture through the store, which cannot be used inside the
  // transaction below; it is decided just before it and applied in order inside it.
  const known = await store.getAccessRequest(requestId);
  const eligible = known
    ? await mayApprove(deps, store, bundle, caller.user, known, {
        thumbprint: caller.thumbprint,
        srcIp: caller.srcIp,
      })
    : { allowed: false, reasons: ['no such request'] };
  const outcome = await store.transaction(async (tx): Promise<Outcome> => {
    const request = await tx.getAccessRequest(requestId);
    if (!request) return refused('not_found', 'no such request', 'unknown_request');
    const challenge = await takeApprovalChallenge(tx, request, caller.user.id, now);
    if (request.requesterId === caller.user.id)
      return refused('self_approval', 'nobody approves their own request', 'self_approval', 4);
    if (request.status !== 'pending')
      return refused('request_closed', `the request is ${request.status}`, `request_${request.status}`);
    if (request.expiresAt <= now) {
      await tx.setAccessRequestStatus(request.id, 'pending', 'expired', { at: now, by: null });
      return refused('request_closed', 'the request has expired', 'request_expired');
    }
    const approvals = await tx.listApprovals(request.id);
    if (approvals.some((a) => a.approverId === caller.user.id))
      return refused('duplicate_approval', 'you have already approved this request', 'duplicate_approval');
    if (!eligible.allowed) {
      return {
        ...refused(
          'policy_denied',
          `not eligible to approve: ${eligible.reasons.join('; ')}`,
          'not_eligible',
        ),
        facts: { reasons: eligible.reasons, bundleHash: bundle.hash },
      };
    }
    if (challenge === undefined) {
      return refused(
        'webauthn_failed',
        'no valid approval challenge for this request (it expired, was used, or belongs to other content): ask for a new one',
        'no_challenge',
      );
    }
    const verified = await verifyLoginAssertion(tx, deps.rp, challenge, assertionOf(body));
    if (!verified.ok) {
      return refused(
        'webauthn_failed',
        'the security key assertion was not accepted',
        verified.reason,
        verified.reason === 'counter_regression' ? 5 : 3,
      );
    }
    if (verified.credential.userId !== caller.user.id)
      return refused('webauthn_failed', 'the security key is not yours', 'credential_of_other_user', 4);
    await tx.updateCredentialUse(verified.credential.id, verified.newCounter, now);
    const approval = {
      requestId: request.id,
      approverId: caller.user.id,
      credentialId: verified.credential.id,
      approvedAt: now,
    };
    await tx.addApproval(approval);
    const all = [...approvals, approval];

    let grant: GrantRecord | null = null;
    let current = request;
    if (all.length >= request.approvalsRequired) {
      if (
        !(await tx.setAccessRequestStatus(request.id, 'pending', 'approved', { at: now, by: caller.user.id }))
      )
        return refused('request_closed', 'the request was decided meanwhile', 'race');
      current = { ...request, status: 'approved', decidedAt: now, decidedBy: caller.user.id };
      grant = {
        id: randomUUID(),
        requestId: request.id,
        userId: request.requesterId,
        target: request.target,
        tier: request.tier,
        durationMinutes: request.durationMinutes,
        status: 'approved',
        emergency: false,
        createdAt: now,
        activateBy: now + deps.options.activationWindowMinutes * 60_000,
        activatedAt: null,
        expiresAt: null,
        endedAt: null,
        endReason: null,
      };
      await tx.createGrant(grant);
    }
    await tx.appendAudit(
      apiAuditEvent('api', {
        name: 'jit.approve',
        outcome: 'success',
        actor,
        time: now,
        srcIp: caller.srcIp,
        method: 'PUT',
        data: {
          requestId: request.id,
          requesterId: request.requesterId,
          target: request.target,
          credentialId: verified.credential.id,
          approvals: all.length,
          approvalsRequired: request.approvalsRequired,
          approved: grant !== null,
          grantId: grant?.id ?? null,
          bundleHash: bundle.hash,
        },
      }),
    );
    await tx.appendUserEvent({
      userId: request.requesterId,
      type: grant ? 'request.approved' : 'approval.recorded',
      data: {
        requestId: request.id,
        target: request.target,
        approver: caller.user.email,
        approvals: all.length,
        approvalsRequired: request.approvalsRequired,
        ...(grant ? { grantId: grant.id, activateBy: grant.activateBy } : {}),
      },
      createdAt: now,
    });
    return {
      ok: true,
      request: toRequestView(current, all, grant?.id ?? null, now),
      grant: grant ? toGrantView(grant, now, bundle.catalog) : null,
    };
  });

  if (!outcome.ok) {
    return auditRefusal(
      store,
      apiAuditEvent('api', {
        name: 'jit.approve',
        outcome: 'failure',
        actor,
        time: now,
        srcIp: caller.srcIp,
        method: 'PUT',
        ...(outcome.severityId ? { severityId: outcome.severityId } : {}),
        data: { requestId, reason: outcome.reason, ...outcome.facts },
      }),
      outcome.error,
    );
  }
  deps.eventsCommitted();
  return { request: outcome.request, grant: outcome.grant };
}
