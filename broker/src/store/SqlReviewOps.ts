import { BrokerError } from '../errors/BrokerError.js';
import type {
  ReviewCampaignRecord,
  ReviewCampaignStatus,
  ReviewDecision,
  ReviewItemRecord,
} from './reviewRecords.js';
import type { ReviewStoreOps } from './ReviewStoreOps.js';
import { SqlDeviceOps } from './SqlDeviceOps.js';
import type { SqlDialect } from './SqlDialect.js';
import type { SqlRunner, SqlValue } from './SqlRunner.js';

interface CampaignRow {
  id: string;
  name: string;
  status: ReviewCampaignStatus;
  created_by: string | null;
  created_at: number;
  deadline: number;
  unreviewed_action: ReviewCampaignRecord['unreviewedAction'];
  stale_after_days: number;
  bundle_hash: string;
  closed_at: number | null;
}

interface ItemRow {
  campaign_id: string;
  user_id: string;
  role_name: string;
  last_used_at: number | null;
  stale: number;
  decision: ReviewDecision;
  decided_by: string | null;
  decided_at: number | null;
}

// PostgreSQL returns BIGINT as text through pg unless parsed; Number() keeps both engines alike.
const num = (v: number | null): number | null => (v === null ? null : Number(v));

const toCampaign = (r: CampaignRow): ReviewCampaignRecord => ({
  id: r.id,
  name: r.name,
  status: r.status,
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
  deadline: Number(r.deadline),
  unreviewedAction: r.unreviewed_action,
  staleAfterDays: Number(r.stale_after_days),
  bundleHash: r.bundle_hash,
  closedAt: num(r.closed_at),
});

const toItem = (r: ItemRow): ReviewItemRecord => ({
  campaignId: r.campaign_id,
  userId: r.user_id,
  roleName: r.role_name,
  lastUsedAt: num(r.last_used_at),
  stale: Number(r.stale) === 1,
  decision: r.decision,
  decidedBy: r.decided_by,
  decidedAt: num(r.decided_at),
});

/** Access reviews in SQL both engines accept (migration 6). */
export class SqlReviewOps extends SqlDeviceOps implements ReviewStoreOps {
  readonly #db: SqlRunner;
  readonly #lock: string;

  constructor(db: SqlRunner, dialect: SqlDialect, inTransaction = false) {
    super(db, dialect, inTransaction);
    this.#db = db;
    this.#lock = inTransaction ? dialect.forUpdate : '';
  }

  async createReviewCampaign(c: ReviewCampaignRecord, items: readonly ReviewItemRecord[]): Promise<void> {
    const changed = await this.#db.run(
      `INSERT INTO review_campaigns (id, name, status, created_by, created_at, deadline, unreviewed_action,
         stale_after_days, bundle_hash, closed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      [
        c.id,
        c.name,
        c.status,
        c.createdBy,
        c.createdAt,
        c.deadline,
        c.unreviewedAction,
        c.staleAfterDays,
        c.bundleHash,
        c.closedAt,
      ],
    );
    if (changed === 0) throw new BrokerError('conflict', 'a review campaign with this id exists');
    for (const i of items) {
      const values: SqlValue[] = [
        c.id,
        i.userId,
        i.roleName,
        i.lastUsedAt,
        i.stale ? 1 : 0,
        i.decision,
        i.decidedBy,
        i.decidedAt,
      ];
      await this.#db.run(
        `INSERT INTO review_items (campaign_id, user_id, role_name, last_used_at, stale, decision, decided_by,
           decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        values,
      );
    }
  }

  async getReviewCampaign(id: string): Promise<ReviewCampaignRecord | undefined> {
    const rows = await this.#db.all<CampaignRow>(`SELECT * FROM review_campaigns WHERE id = ?${this.#lock}`, [
      id,
    ]);
    return rows[0] === undefined ? undefined : toCampaign(rows[0]);
  }

  async listReviewCampaigns(filter: {
    status?: ReviewCampaignStatus;
    limit: number;
  }): Promise<ReviewCampaignRecord[]> {
    const where = filter.status === undefined ? '' : 'WHERE status = ? ';
    const params: SqlValue[] = filter.status === undefined ? [] : [filter.status];
    const rows = await this.#db.all<CampaignRow>(
      `SELECT * FROM review_campaigns ${where}ORDER BY created_at DESC, id DESC LIMIT ?`,
      [...params, filter.limit],
    );
    return rows.map(toCampaign);
  }

  async listReviewItems(campaignId: string): Promise<ReviewItemRecord[]> {
    const rows = await this.#db.all<ItemRow>(
      'SELECT * FROM review_items WHERE campaign_id = ? ORDER BY user_id, role_name',
      [campaignId],
    );
    return rows.map(toItem);
  }

  async decideReviewItem(
    campaignId: string,
    userId: string,
    roleName: string,
    decision: Exclude<ReviewDecision, 'pending'>,
    by: string | null,
    at: number,
  ): Promise<boolean> {
    const changed = await this.#db.run(
      `UPDATE review_items SET decision = ?, decided_by = ?, decided_at = ?
       WHERE campaign_id = ? AND user_id = ? AND role_name = ? AND decision = 'pending'`,
      [decision, by, at, campaignId, userId, roleName],
    );
    return changed > 0;
  }

  async closeReviewCampaign(id: string, at: number): Promise<boolean> {
    const changed = await this.#db.run(
      `UPDATE review_campaigns SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'`,
      [at, id],
    );
    return changed > 0;
  }
}
