import type { AccessRequestView } from '@strongroom/shared/protocol/jitApi.js';
import { z } from 'zod';
import type { ApiCaller } from '../api/auth/ApiCaller.js';
import { apiAuditEvent } from '../api/apiAuditEvent.js';
import { auditRefusal } from '../api/auditRefusal.js';
import { BrokerError } from '../errors/BrokerError.js';
import type { AccessRequestRecord } from '../store/jitRecords.js';
import type { JitDeps } from './JitDeps.js';
import { requireAdmin } from './requireAdmin.js';
import { loadRequestView } from './toRequestView.js';

/** `POST /api/v1/admin/break-glass/{id}/review`: the after-the-fact verdict on one emergency use. */
export const breakGlassReviewSchema = z.strictObject({
  verdict: z.enum(['justified', 'unjustified']),
  note: z.string().trim().min(3).max(2000),
});
export type BreakGlassReview = z.infer<typeof breakGlassReviewSchema>;

/** Break-glass uses still waiting for review, oldest first (admins only). */
export async function listBreakGlassReviews(
  deps: Pick<JitDeps, 'store' | 'now'>,
  caller: ApiCaller,
): Promise<{ requests: AccessRequestView[] }> {
  await requireAdmin(deps, caller, { name: 'jit.breakglass.list', what: 'listing break-glass reviews' });
  const pending = await deps.store.listAccessRequests({ reviewStatus: 'pending', limit: 500 });
  const views: AccessRequestView[] = [];
  for (const request of pending.reverse()) views.push(await loadRequestView(deps.store, request, deps.now()));
  return { requests: views };
}

/**
 * Closes the review item a break-glass use created (issue 5: "create a review item"): an admin
 * other than the person who used it records a verdict and a note. An `unjustified` verdict is
 * a high-severity record for the detectors and the audit explorer. Reviewing twice is refused.
 */
export async function reviewBreakGlass(
  deps: Pick<JitDeps, 'store' | 'now'>,
  caller: ApiCaller,
  requestId: string,
  review: BreakGlassReview,
): Promise<{ request: AccessRequestView }> {
  await requireAdmin(deps, caller, { name: 'jit.breakglass.review', what: 'reviewing break-glass use' });
  const now = deps.now();
  const actor = { kind: 'admin' as const, userId: caller.user.id, email: caller.user.email };
  type Outcome = { error: BrokerError; reason: string } | { request: AccessRequestRecord };
  const outcome = await deps.store.transaction(async (tx): Promise<Outcome> => {
    const request = await tx.getAccessRequest(requestId);
    if (!request || !request.emergency)
      return { error: new BrokerError('not_found', 'no such break-glass request'), reason: 'unknown' };
    if (request.requesterId === caller.user.id)
      return {
        error: new BrokerError('self_approval', 'another admin must review your own break-glass use'),
        reason: 'self',
      };
    if (request.reviewStatus !== 'pending')
      return {
        error: new BrokerError('request_closed', 'this break-glass use was already reviewed'),
        reason: 'done',
      };
    await tx.setAccessRequestReview(request.id, 'done');
    await tx.appendAudit(
      apiAuditEvent('api', {
        name: 'jit.breakglass.review',
        outcome: 'success',
        actor,
        time: now,
        srcIp: caller.srcIp,
        method: 'POST',
        severityId: review.verdict === 'unjustified' ? 4 : 1,
        data: {
          requestId: request.id,
          requester: request.requesterId,
          target: request.target,
          verdict: review.verdict,
          note: review.note,
        },
      }),
    );
    return { request: { ...request, reviewStatus: 'done' as const } };
  });
  if ('error' in outcome) {
    return auditRefusal(
      deps.store,
      apiAuditEvent('api', {
        name: 'jit.breakglass.review',
        outcome: 'failure',
        actor,
        time: now,
        srcIp: caller.srcIp,
        method: 'POST',
        data: { requestId, reason: outcome.reason },
      }),
      outcome.error,
    );
  }
  return { request: await loadRequestView(deps.store, outcome.request, deps.now()) };
}
