import type { AccessRequestView } from '@strongroom/shared/protocol/jitApi.js';
import type { ApiCaller } from '../api/auth/ApiCaller.js';
import { mayApprove } from './eligibleApprovers.js';
import type { JitDeps } from './JitDeps.js';
import { loadRequestView } from './toRequestView.js';

const LIMIT = 200;

/**
 * `GET /api/v1/requests`: the caller's own requests, or with `toReview` the pending requests of
 * others that the caller may approve now (by policy) and has not approved yet.
 */
export async function listRequests(
  deps: JitDeps,
  caller: ApiCaller,
  toReview: boolean,
): Promise<AccessRequestView[]> {
  const { store } = deps;
  const now = deps.now();
  const bundle = deps.policy.bundle;
  const records = toReview
    ? await store.listAccessRequests({ status: 'pending', limit: LIMIT })
    : await store.listAccessRequests({ requesterId: caller.user.id, limit: LIMIT });
  const views: AccessRequestView[] = [];
  for (const r of records) {
    const approvals = await store.listApprovals(r.id);
    if (toReview) {
      if (r.expiresAt <= now || approvals.some((a) => a.approverId === caller.user.id)) continue;
      const answer = await mayApprove(deps, store, bundle, caller.user, r, {
        thumbprint: caller.thumbprint,
        srcIp: caller.srcIp,
      });
      if (!answer.allowed) continue;
    }
    views.push(
      await loadRequestView(store, r, now, toReview ? { approvals } : { approvals, requester: caller.user }),
    );
  }
  return views;
}
