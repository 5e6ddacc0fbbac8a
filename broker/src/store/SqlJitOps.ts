import type {
  AccessRequestRecord,
  AccessRequestStatus,
  ApprovalRecord,
  GrantRecord,
  GrantStatus,
  UserEventRecord,
} from './jitRecords.js';
import type { JitStoreOps } from './JitStoreOps.js';
import { SqlIssuedCredentialOps } from './SqlIssuedCredentialOps.js';
import type { SqlDialect } from './SqlDialect.js';
import type { SqlRunner, SqlValue } from './SqlRunner.js';

interface RequestRow {
  id: string;
  requester_id: string;
  target_type: string;
  target_id: string;
  tier: string;
  duration_minutes: number;
  reason: string;
  ticket: string | null;
  status: AccessRequestStatus;
  approvals_required: number;
  emergency: number;
  content_hash: string;
  bundle_hash: string;
  created_at: number;
  expires_at: number;
  decided_at: number | null;
  decided_by: string | null;
  deny_reason: string | null;
  review_status: AccessRequestRecord['reviewStatus'];
}

interface ApprovalRow {
  request_id: string;
  approver_id: string;
  credential_id: string;
  approved_at: number;
}

interface GrantRow {
  id: string;
  request_id: string;
  user_id: string;
  target_type: string;
  target_id: string;
  tier: string;
  duration_minutes: number;
  status: GrantStatus;
  emergency: number;
  created_at: number;
  activate_by: number;
  activated_at: number | null;
  expires_at: number | null;
  ended_at: number | null;
  end_reason: string | null;
}

interface EventRow {
  id: number;
  user_id: string;
  type: string;
  data: string;
  created_at: number;
}

const toRequest = (r: RequestRow): AccessRequestRecord => ({
  id: r.id,
  requesterId: r.requester_id,
  target: { type: r.target_type, id: r.target_id },
  tier: r.tier,
  durationMinutes: r.duration_minutes,
  reason: r.reason,
  ticket: r.ticket,
  status: r.status,
  approvalsRequired: r.approvals_required,
  emergency: r.emergency === 1,
  contentHash: r.content_hash,
  bundleHash: r.bundle_hash,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  decidedAt: r.decided_at,
  decidedBy: r.decided_by,
  denyReason: r.deny_reason,
  reviewStatus: r.review_status,
});

const toGrant = (r: GrantRow): GrantRecord => ({
  id: r.id,
  requestId: r.request_id,
  userId: r.user_id,
  target: { type: r.target_type, id: r.target_id },
  tier: r.tier,
  durationMinutes: r.duration_minutes,
  status: r.status,
  emergency: r.emergency === 1,
  createdAt: r.created_at,
  activateBy: r.activate_by,
  activatedAt: r.activated_at,
  expiresAt: r.expires_at,
  endedAt: r.ended_at,
  endReason: r.end_reason,
});

const toEvent = (r: EventRow): UserEventRecord => ({
  id: Number(r.id),
  userId: r.user_id,
  type: r.type,
  data: JSON.parse(r.data) as Record<string, unknown>,
  createdAt: r.created_at,
});

/**
 * JIT requests, approvals, grants and user events in SQL both engines accept (migration 3). The
 * device ops extend this, so these run on the same connection or transaction as every other
 * store operation.
 */
export class SqlJitOps extends SqlIssuedCredentialOps implements JitStoreOps {
  readonly #db: SqlRunner;
  readonly #dialect: SqlDialect;
  readonly #lock: string;

  constructor(db: SqlRunner, dialect: SqlDialect, inTransaction = false) {
    super(db);
    this.#db = db;
    this.#dialect = dialect;
    this.#lock = inTransaction ? dialect.forUpdate : '';
  }

  async createAccessRequest(r: AccessRequestRecord): Promise<void> {
    await this.#db.run(
      `INSERT INTO jit_requests (id, requester_id, target_type, target_id, tier, duration_minutes, reason,
         ticket, status, approvals_required, emergency, content_hash, bundle_hash, created_at, expires_at,
         decided_at, decided_by, deny_reason, review_status)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        r.id,
        r.requesterId,
        r.target.type,
        r.target.id,
        r.tier,
        r.durationMinutes,
        r.reason,
        r.ticket,
        r.status,
        r.approvalsRequired,
        r.emergency ? 1 : 0,
        r.contentHash,
        r.bundleHash,
        r.createdAt,
        r.expiresAt,
        r.decidedAt,
        r.decidedBy,
        r.denyReason,
        r.reviewStatus,
      ],
    );
  }

  async getAccessRequest(id: string): Promise<AccessRequestRecord | undefined> {
    const rows = await this.#db.all<RequestRow>(`SELECT * FROM jit_requests WHERE id = ?${this.#lock}`, [id]);
    return rows[0] && toRequest(rows[0]);
  }

  async listAccessRequests(filter: {
    requesterId?: string;
    status?: AccessRequestStatus;
    reviewStatus?: AccessRequestRecord['reviewStatus'];
    limit: number;
  }): Promise<AccessRequestRecord[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (filter.reviewStatus !== undefined) {
      where.push('review_status = ?');
      params.push(filter.reviewStatus);
    }
    if (filter.requesterId !== undefined) {
      where.push('requester_id = ?');
      params.push(filter.requesterId);
    }
    if (filter.status !== undefined) {
      where.push('status = ?');
      params.push(filter.status);
    }
    const rows = await this.#db.all<RequestRow>(
      `SELECT * FROM jit_requests ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC, id LIMIT ?`,
      [...params, filter.limit],
    );
    return rows.map(toRequest);
  }

  async setAccessRequestStatus(
    id: string,
    from: AccessRequestStatus,
    to: AccessRequestStatus,
    decision: { at: number; by: string | null; denyReason?: string | null },
  ): Promise<boolean> {
    const changed = await this.#db.run(
      `UPDATE jit_requests SET status = ?, decided_at = ?, decided_by = ?, deny_reason = ?
       WHERE id = ? AND status = ?`,
      [to, decision.at, decision.by, decision.denyReason ?? null, id, from],
    );
    return changed === 1;
  }

  async setAccessRequestReview(id: string, reviewStatus: AccessRequestRecord['reviewStatus']): Promise<void> {
    await this.#db.run('UPDATE jit_requests SET review_status = ? WHERE id = ?', [reviewStatus, id]);
  }

  async addApproval(a: ApprovalRecord): Promise<void> {
    // The primary key (request_id, approver_id) makes "one approver counts once" a database fact.
    await this.#db.run(
      'INSERT INTO jit_approvals (request_id, approver_id, credential_id, approved_at) VALUES (?, ?, ?, ?)',
      [a.requestId, a.approverId, a.credentialId, a.approvedAt],
    );
  }

  async listApprovals(requestId: string): Promise<ApprovalRecord[]> {
    const rows = await this.#db.all<ApprovalRow>(
      'SELECT * FROM jit_approvals WHERE request_id = ? ORDER BY approved_at, approver_id',
      [requestId],
    );
    return rows.map((r) => ({
      requestId: r.request_id,
      approverId: r.approver_id,
      credentialId: r.credential_id,
      approvedAt: r.approved_at,
    }));
  }

  async createGrant(g: GrantRecord): Promise<void> {
    await this.#db.run(
      `INSERT INTO jit_grants (id, request_id, user_id, target_type, target_id, tier, duration_minutes,
         status, emergency, created_at, activate_by, activated_at, expires_at, ended_at, end_reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        g.id,
        g.requestId,
        g.userId,
        g.target.type,
        g.target.id,
        g.tier,
        g.durationMinutes,
        g.status,
        g.emergency ? 1 : 0,
        g.createdAt,
        g.activateBy,
        g.activatedAt,
        g.expiresAt,
        g.endedAt,
        g.endReason,
      ],
    );
  }

  async getGrant(id: string): Promise<GrantRecord | undefined> {
    const rows = await this.#db.all<GrantRow>(`SELECT * FROM jit_grants WHERE id = ?${this.#lock}`, [id]);
    return rows[0] && toGrant(rows[0]);
  }

  async getGrantByRequest(requestId: string): Promise<GrantRecord | undefined> {
    const rows = await this.#db.all<GrantRow>('SELECT * FROM jit_grants WHERE request_id = ?', [requestId]);
    return rows[0] && toGrant(rows[0]);
  }

  async listGrants(userId: string, statuses?: readonly GrantStatus[]): Promise<GrantRecord[]> {
    const filter =
      statuses === undefined || statuses.length === 0
        ? ''
        : ` AND status IN (${statuses.map(() => '?').join(', ')})`;
    const rows = await this.#db.all<GrantRow>(
      `SELECT * FROM jit_grants WHERE user_id = ?${filter} ORDER BY created_at DESC, id`,
      [userId, ...(statuses ?? [])],
    );
    return rows.map(toGrant);
  }

  async listActiveGrantsExpiringBy(before: number, limit: number): Promise<GrantRecord[]> {
    const rows = await this.#db.all<GrantRow>(
      `SELECT * FROM jit_grants WHERE status = 'active' AND expires_at <= ? ORDER BY expires_at, id LIMIT ?`,
      [before, limit],
    );
    return rows.map(toGrant);
  }

  async listUnactivatedGrantsPast(now: number, limit: number): Promise<GrantRecord[]> {
    const rows = await this.#db.all<GrantRow>(
      `SELECT * FROM jit_grants WHERE status = 'approved' AND activate_by <= ? ORDER BY activate_by, id LIMIT ?`,
      [now, limit],
    );
    return rows.map(toGrant);
  }

  async listPendingRequestsPast(now: number, limit: number): Promise<AccessRequestRecord[]> {
    const rows = await this.#db.all<RequestRow>(
      `SELECT * FROM jit_requests WHERE status = 'pending' AND expires_at <= ? ORDER BY expires_at, id LIMIT ?`,
      [now, limit],
    );
    return rows.map(toRequest);
  }

  async activateGrant(id: string, now: number, expiresAt: number): Promise<boolean> {
    const changed = await this.#db.run(
      `UPDATE jit_grants SET status = 'active', activated_at = ?, expires_at = ?
       WHERE id = ? AND status = 'approved' AND activate_by > ?`,
      [now, expiresAt, id, now],
    );
    return changed === 1;
  }

  async endGrant(id: string, at: number, reason: string): Promise<boolean> {
    const changed = await this.#db.run(
      `UPDATE jit_grants SET status = 'ended', ended_at = ?, end_reason = ? WHERE id = ? AND status <> 'ended'`,
      [at, reason, id],
    );
    return changed === 1;
  }

  async appendUserEvent(
    e: Omit<UserEventRecord, 'id'> & { dedupeKey?: string },
  ): Promise<UserEventRecord | undefined> {
    if (this.#dialect.name === 'postgres') {
      // Ids must become visible in id order, or a reader resuming after id N could skip an id below
      // N that commits later. One transaction-scoped lock serializes event writers across instances.
      await this.#db.all('SELECT pg_advisory_xact_lock(770003)');
    }
    const rows = await this.#db.all<{ id: number }>(
      `INSERT INTO user_events (user_id, type, data, created_at, dedupe_key) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING RETURNING id`,
      [e.userId, e.type, JSON.stringify(e.data), e.createdAt, e.dedupeKey ?? null],
    );
    const id = rows[0]?.id;
    if (id === undefined) return undefined;
    return { id: Number(id), userId: e.userId, type: e.type, data: e.data, createdAt: e.createdAt };
  }

  async listUserEvents(userId: string, afterId: number, limit: number): Promise<UserEventRecord[]> {
    const rows = await this.#db.all<EventRow>(
      'SELECT id, user_id, type, data, created_at FROM user_events WHERE user_id = ? AND id > ? ORDER BY id LIMIT ?',
      [userId, afterId, limit],
    );
    return rows.map(toEvent);
  }

  async lastUserEventId(): Promise<number> {
    const rows = await this.#db.all<{ id: number | null }>('SELECT MAX(id) AS id FROM user_events');
    return Number(rows[0]?.id ?? 0);
  }
}
