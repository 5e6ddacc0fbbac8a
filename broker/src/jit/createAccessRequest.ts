import { randomUUID } from 'node:crypto';
import type { CreateAccessRequest, CreateAccessRequestResponse } from '@strongroom/shared/protocol/jitApi.js';
import { apiAuditEvent } from '../api/apiAuditEvent.js';
import { auditRefusal } from '../api/auditRefusal.js';
import type { ApiCaller } from '../api/auth/ApiCaller.js';
import { BrokerError } from '../errors/BrokerError.js';
import type { AccessRequestRecord, GrantRecord } from '../store/jitRecords.js';
import { authorizeSessionEvent } from './authorizeSessionEvent.js';
import { checkRequestRules } from './checkRequestRules.js';
import { eligibleApprovers } from './eligibleApprovers.js';
import type { JitDeps } from './JitDeps.js';
import { contextFor, principalFor } from './policyInputsFor.js';
import { requestContentHash } from './requestContentHash.js';
import { targetRules } from './targetRules.js';
import { toGrantView } from './toGrantView.js';
import { toRequestView } from './toRequestView.js';

const MINUTE = 60_000;

/**
 * `POST /api/v1/requests`: eligibility is Cedar `request` on the target; reason, ticket and
 * duration rules come from the bundle. `dryRun` answers without creating anything. A break-glass
 * target (`emergency`) is granted and activated at once for at most the bundle's emergency
 * maximum, audited at high severity and left with a pending review. Everything a request changes
 * commits in one transaction with its audit record and its events.
 */
export async function createAccessRequest(
  deps: JitDeps,
  caller: ApiCaller,
  body: CreateAccessRequest,
): Promise<CreateAccessRequestResponse> {
  const { store } = deps;
  const now = deps.now();
  const bundle = deps.policy.bundle;
  const actor = { kind: 'user' as const, userId: caller.user.id, email: caller.user.email };
  const rules = targetRules(bundle, body.target);
  const decision = bundle.authorize({
    principal: await principalFor(store, bundle, caller.user),
    action: 'request',
    resource: { ...body.target },
    context: await contextFor(deps, store, caller.user, {
      thumbprint: caller.thumbprint,
      srcIp: caller.srcIp,
    }),
  });
  const problems = checkRequestRules(bundle.manifest, rules, body);
  const allowed = decision.decision === 'allow' && problems.length === 0;
  const reasons = [...decision.reasons, ...problems];
  const facts = {
    target: body.target,
    durationMinutes: body.durationMinutes,
    ticket: body.ticket ?? null,
    decision: decision.decision,
    determiningPolicies: decision.determiningPolicies,
    bundleHash: bundle.hash,
  };

  if (body.dryRun === true) {
    await store.appendAudit(
      authorizeSessionEvent('other', {
        name: 'jit.request.dry_run',
        outcome: allowed ? 'success' : 'failure',
        actor,
        time: now,
        srcIp: caller.srcIp,
        severityId: 1,
        data: { ...facts, reasons },
      }),
    );
    return {
      dryRun: true,
      allowed,
      reasons,
      approvalsRequired: rules.approvalsRequired,
      maxDurationMinutes: rules.maxDurationMinutes,
      emergency: rules.emergency,
      bundleHash: bundle.hash,
    };
  }
  if (!allowed) {
    const error =
      decision.decision === 'allow'
        ? new BrokerError('invalid_request', problems.join('; '))
        : new BrokerError('policy_denied', `not eligible: ${reasons.join('; ')}`);
    return auditRefusal(
      store,
      apiAuditEvent('api', {
        name: 'jit.request',
        outcome: 'failure',
        actor,
        time: now,
        srcIp: caller.srcIp,
        method: 'POST',
        data: { ...facts, reasons },
      }),
      error,
    );
  }

  const base = {
    id: randomUUID(),
    requesterId: caller.user.id,
    target: { ...body.target },
    durationMinutes: body.durationMinutes,
    reason: body.reason.trim(),
    ticket: body.ticket ?? null,
    createdAt: now,
    bundleHash: bundle.hash,
  };
  const request: AccessRequestRecord = {
    ...base,
    tier: rules.tier,
    status: rules.emergency ? 'approved' : 'pending',
    approvalsRequired: rules.approvalsRequired,
    emergency: rules.emergency,
    contentHash: requestContentHash(base),
    expiresAt: now + deps.options.pendingRequestTtlMinutes * MINUTE,
    decidedAt: rules.emergency ? now : null,
    decidedBy: rules.emergency ? caller.user.id : null,
    denyReason: null,
    reviewStatus: rules.emergency ? 'pending' : 'none',
  };
  // Break-glass: self-activated now; the clock runs from this moment.
  const grant: GrantRecord | null = rules.emergency
    ? {
        id: randomUUID(),
        requestId: request.id,
        userId: caller.user.id,
        target: request.target,
        tier: request.tier,
        durationMinutes: request.durationMinutes,
        status: 'active',
        emergency: true,
        createdAt: now,
        activateBy: now,
        activatedAt: now,
        expiresAt: now + request.durationMinutes * MINUTE,
        endedAt: null,
        endReason: null,
      }
    : null;

  // Who to notify is decided before the transaction (eligibility reads posture through the store).
  const approvers = grant ? [] : await eligibleApprovers(deps, store, bundle, request);
  await store.transaction(async (tx) => {
    await tx.createAccessRequest(request);
    await tx.appendAudit(
      apiAuditEvent('api', {
        name: rules.emergency ? 'jit.breakglass' : 'jit.request',
        outcome: 'success',
        actor,
        time: now,
        srcIp: caller.srcIp,
        method: 'POST',
        // Break-glass is loud (ARCHITECTURE.md): high severity, and a review item stays open.
        severityId: rules.emergency ? 4 : 1,
        data: {
          ...facts,
          requestId: request.id,
          reason: request.reason,
          approvalsRequired: request.approvalsRequired,
          ...(rules.emergency ? { review: 'pending' } : {}),
        },
      }),
    );
    if (grant) {
      await tx.createGrant(grant);
      await tx.appendAudit(
        authorizeSessionEvent('assignPrivileges', {
          name: 'jit.grant.activate',
          outcome: 'success',
          actor,
          time: now,
          srcIp: caller.srcIp,
          severityId: 4,
          data: {
            grantId: grant.id,
            requestId: request.id,
            target: grant.target,
            expiresAt: grant.expiresAt,
            emergency: true,
          },
        }),
      );
      await tx.appendUserEvent({
        userId: caller.user.id,
        type: 'grant.activated',
        data: {
          grantId: grant.id,
          requestId: request.id,
          target: grant.target,
          expiresAt: grant.expiresAt,
          emergency: true,
        },
        createdAt: now,
      });
      return;
    }
    await tx.appendUserEvent({
      userId: caller.user.id,
      type: 'request.pending',
      data: { requestId: request.id, target: request.target, approvalsRequired: request.approvalsRequired },
      createdAt: now,
    });
    for (const approver of approvers) {
      await tx.appendUserEvent({
        userId: approver.id,
        type: 'request.pending',
        data: {
          requestId: request.id,
          requester: caller.user.email,
          target: request.target,
          reason: request.reason,
          durationMinutes: request.durationMinutes,
          toReview: true,
        },
        createdAt: now,
      });
    }
  });
  deps.eventsCommitted();
  const what = `${request.target.type === 'Role' ? 'role' : request.target.type} ${request.target.id}`;
  deps.webhook(
    grant
      ? {
          event: 'jit.breakglass',
          text: `:rotating_light: BREAK-GLASS: ${caller.user.email} activated ${what} for ${request.durationMinutes} min: "${request.reason}". Review required.`,
          data: {
            requestId: request.id,
            grantId: grant.id,
            requester: caller.user.email,
            target: request.target,
          },
        }
      : {
          event: 'request.pending',
          text: `${caller.user.email} asks for ${what} for ${request.durationMinutes} min: "${request.reason}"${request.ticket ? ` (${request.ticket})` : ''}. ${request.approvalsRequired} approval(s) needed: strongroom approve ${request.id}`,
          data: {
            requestId: request.id,
            requester: caller.user.email,
            target: request.target,
            durationMinutes: request.durationMinutes,
            approvalsRequired: request.approvalsRequired,
            approvers: approvers.map((a) => a.email),
          },
        },
  );
  return {
    request: toRequestView(request, [], grant?.id ?? null, now, caller.user.email),
    grant: grant ? toGrantView(grant, now, bundle.catalog) : null,
  };
}
