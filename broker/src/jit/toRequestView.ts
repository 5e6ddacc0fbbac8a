import type { AccessRequestView } from '@strongroom/shared/protocol/jitApi.js';
import type { AccessRequestRecord, ApprovalRecord } from '../store/jitRecords.js';
import type { StoreOps } from '../store/Store.js';

/** The wire view of a request. A pending request past its deadline shows as `expired`. */
export function toRequestView(
  r: AccessRequestRecord,
  approvals: readonly ApprovalRecord[],
  grantId: string | null,
  now: number,
  requesterEmail?: string,
): AccessRequestView {
  return {
    id: r.id,
    requesterId: r.requesterId,
    ...(requesterEmail === undefined ? {} : { requesterEmail }),
    target: { ...r.target },
    tier: r.tier,
    durationMinutes: r.durationMinutes,
    reason: r.reason,
    ticket: r.ticket,
    status: r.status === 'pending' && r.expiresAt <= now ? 'expired' : r.status,
    approvalsRequired: r.approvalsRequired,
    approvals: approvals.map((a) => ({ approverId: a.approverId, approvedAt: a.approvedAt })),
    emergency: r.emergency,
    contentHash: r.contentHash,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    denyReason: r.denyReason,
    grantId,
  };
}

/**
 * The wire view of a stored request with what it refers to read from the store: its approvals, its
 * grant (once approved) and the requester's email. `known` passes what the caller has already read.
 */
export async function loadRequestView(
  store: Pick<StoreOps, 'listApprovals' | 'getGrantByRequest' | 'getUser'>,
  r: AccessRequestRecord,
  now: number,
  known: { requester?: { email: string }; approvals?: readonly ApprovalRecord[] } = {},
): Promise<AccessRequestView> {
  const approvals = known.approvals ?? (await store.listApprovals(r.id));
  const grant = r.status === 'approved' ? await store.getGrantByRequest(r.id) : undefined;
  const email = known.requester?.email ?? (await store.getUser(r.requesterId))?.email;
  return toRequestView(r, approvals, grant?.id ?? null, now, email);
}
