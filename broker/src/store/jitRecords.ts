/** Row shapes of just-in-time elevation (issue 5); times are milliseconds since the epoch. */

/** A JIT target: a catalog entity of the policy bundle (a Role or an asset). */
export interface JitTarget {
  type: string;
  id: string;
}

/**
 * `pending` until enough distinct approvers said yes (`approved`), or someone said no (`denied`),
 * the requester withdrew it (`cancelled`), or its deadline passed (`expired`, from stored times).
 */
export type AccessRequestStatus = 'pending' | 'approved' | 'denied' | 'cancelled' | 'expired';

export interface AccessRequestRecord {
  id: string;
  requesterId: string;
  target: JitTarget;
  /** `public` | `internal` | `restricted`, from the catalog when the request was made. */
  tier: string;
  durationMinutes: number;
  reason: string;
  ticket: string | null;
  status: AccessRequestStatus;
  approvalsRequired: number;
  emergency: boolean;
  /** SHA-256 over the request's immutable content; approval assertions commit to it. */
  contentHash: string;
  bundleHash: string;
  createdAt: number;
  /** A pending request is void after this (never approved late). */
  expiresAt: number;
  decidedAt: number | null;
  decidedBy: string | null;
  denyReason: string | null;
  /** Break-glass requests need a review afterwards: `pending` until an admin reviews. */
  reviewStatus: 'none' | 'pending' | 'done';
}

export interface ApprovalRecord {
  requestId: string;
  approverId: string;
  /** The security key whose assertion (bound to this request) made the approval. */
  credentialId: string;
  approvedAt: number;
}

/**
 * `approved`: waiting for the requester to activate before `activateBy`. `active`: running until
 * `expiresAt`. `ended`: dropped, revoked, expired or never activated. Whether a grant is in force
 * is computed from these stored times by `grantStateAt`, never from a timer.
 */
export type GrantStatus = 'approved' | 'active' | 'ended';

export interface GrantRecord {
  id: string;
  requestId: string;
  userId: string;
  target: JitTarget;
  tier: string;
  durationMinutes: number;
  status: GrantStatus;
  emergency: boolean;
  createdAt: number;
  activateBy: number;
  activatedAt: number | null;
  expiresAt: number | null;
  endedAt: number | null;
  endReason: string | null;
}

/** One entry of a user's event stream (SSE); `id` is monotonic per store. */
export interface UserEventRecord {
  id: number;
  userId: string;
  type: string;
  data: Record<string, unknown>;
  createdAt: number;
}
