import type {
  AccessRequestRecord,
  AccessRequestStatus,
  ApprovalRecord,
  GrantRecord,
  GrantStatus,
  UserEventRecord,
} from './jitRecords.js';

/**
 * Requests, approvals, grants and the per-user event stream of JIT elevation (issue 5). Part of
 * `StoreOps`, so every change shares a transaction with its audit record.
 */
export interface JitStoreOps {
  createAccessRequest(request: AccessRequestRecord): Promise<void>;
  /** In a transaction, locks the row until it ends (read-check-write of approvals is safe). */
  getAccessRequest(id: string): Promise<AccessRequestRecord | undefined>;
  /** Newest first. */
  listAccessRequests(filter: {
    requesterId?: string;
    status?: AccessRequestStatus;
    /** Break-glass requests waiting for their after-the-fact review have `pending`. */
    reviewStatus?: AccessRequestRecord['reviewStatus'];
    limit: number;
  }): Promise<AccessRequestRecord[]>;
  /**
   * Moves a request from `from` to `to`; false (and no change) when it is no longer in `from`, so
   * two racing decisions cannot both win.
   */
  setAccessRequestStatus(
    id: string,
    from: AccessRequestStatus,
    to: AccessRequestStatus,
    decision: { at: number; by: string | null; denyReason?: string | null },
  ): Promise<boolean>;
  setAccessRequestReview(id: string, reviewStatus: AccessRequestRecord['reviewStatus']): Promise<void>;

  /** Refused with `conflict` when this approver already approved this request. */
  addApproval(approval: ApprovalRecord): Promise<void>;
  listApprovals(requestId: string): Promise<ApprovalRecord[]>;

  createGrant(grant: GrantRecord): Promise<void>;
  getGrant(id: string): Promise<GrantRecord | undefined>;
  getGrantByRequest(requestId: string): Promise<GrantRecord | undefined>;
  /** The user's grants, newest first; `statuses` filters by stored status. */
  listGrants(userId: string, statuses?: readonly GrantStatus[]): Promise<GrantRecord[]>;
  /** Grants with stored status `active` whose `expiresAt` is at or before `before` (sweeper). */
  listActiveGrantsExpiringBy(before: number, limit: number): Promise<GrantRecord[]>;
  /** Grants with stored status `approved` whose activation window closed at or before `now`. */
  listUnactivatedGrantsPast(now: number, limit: number): Promise<GrantRecord[]>;
  /** Pending requests past their deadline. */
  listPendingRequestsPast(now: number, limit: number): Promise<AccessRequestRecord[]>;
  /** approved → active; false when the grant was not `approved` or its window closed at `now`. */
  activateGrant(id: string, now: number, expiresAt: number): Promise<boolean>;
  /** Ends a grant that is not yet ended; false when it already was. */
  endGrant(id: string, at: number, reason: string): Promise<boolean>;

  /**
   * Appends to a user's event stream. With `dedupeKey`, an event already recorded under that key
   * is not recorded again (returns undefined), so sweepers may run anywhere, any number of times.
   */
  appendUserEvent(
    event: Omit<UserEventRecord, 'id'> & { dedupeKey?: string },
  ): Promise<UserEventRecord | undefined>;
  /** The user's events with `id > afterId`, oldest first. */
  listUserEvents(userId: string, afterId: number, limit: number): Promise<UserEventRecord[]>;
  /** The newest event id in the store (0 when none). */
  lastUserEventId(): Promise<number>;
}
