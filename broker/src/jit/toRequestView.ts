import type { AccessRequestView } from '@strongroom/shared/protocol/jitApi.js';
import type { AccessRequestRecord, ApprovalRecord } from '../store/jitRecords.js';

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
