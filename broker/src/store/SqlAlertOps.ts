import type {
  AlertRecord,
  AlertStatus,
  LockKind,
  LockRecord,
  WebhookDeliveryRecord,
  WebhookDeliveryStatus,
} from './alertRecords.js';
import type { AlertStoreOps } from './AlertStoreOps.js';
import { SqlJitOps } from './SqlJitOps.js';
import type { SqlDialect } from './SqlDialect.js';
import type { SqlRunner, SqlValue } from './SqlRunner.js';

interface AlertRow {
  id: string;
  detector: string;
  severity: AlertRecord['severity'];
  action: AlertRecord['action'];
  user_id: string | null;
  device_id: string | null;
  summary: string;
  data: string;
  audit_seq: number;
  dedupe_key: string;
  created_at: number;
  status: AlertStatus;
  acked_by: string | null;
  acked_at: number | null;
  ack_note: string | null;
  lock_id: string | null;
}

interface LockRow {
  id: string;
  kind: LockKind;
  subject_id: string;
  user_id: string;
  device_id: string | null;
  reason: string;
  alert_id: string | null;
  locked_by: string | null;
  locked_at: number;
  unlocked_by: string | null;
  unlocked_at: number | null;
  unlock_reason: string | null;
}

interface DeliveryRow {
  id: string;
  url: string;
  event: string;
  body: string;
  alert_id: string | null;
  status: WebhookDeliveryStatus;
  attempts: number;
  next_attempt_at: number;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

const toAlert = (r: AlertRow): AlertRecord => ({
  id: r.id,
  detector: r.detector,
  severity: r.severity,
  action: r.action,
  userId: r.user_id,
  deviceId: r.device_id,
  summary: r.summary,
  data: JSON.parse(r.data) as Record<string, unknown>,
  auditSeq: Number(r.audit_seq),
  dedupeKey: r.dedupe_key,
  createdAt: r.created_at,
  status: r.status,
  ackedBy: r.acked_by,
  ackedAt: r.acked_at,
  ackNote: r.ack_note,
  lockId: r.lock_id,
});

const toLock = (r: LockRow): LockRecord => ({
  id: r.id,
  kind: r.kind,
  userId: r.user_id,
  deviceId: r.device_id,
  reason: r.reason,
  alertId: r.alert_id,
  lockedBy: r.locked_by,
  lockedAt: r.locked_at,
  unlockedBy: r.unlocked_by,
  unlockedAt: r.unlocked_at,
  unlockReason: r.unlock_reason,
});

const toDelivery = (r: DeliveryRow): WebhookDeliveryRecord => ({
  id: r.id,
  url: r.url,
  event: r.event,
  body: r.body,
  alertId: r.alert_id,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastStatus: r.last_status,
  lastError: r.last_error,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Models of oidc-provider records that belong to one account (their payload names `accountId`). */
const ACCOUNT_MODELS = ['Session', 'Grant', 'AccessToken', 'RefreshToken', 'AuthorizationCode'];

/**
 * Alerts, locks, webhook deliveries and user attributes in SQL both engines accept (migration 5).
 * The device ops extend this, so these run on the same connection or transaction as every other
 * store operation.
 */
export class SqlAlertOps extends SqlJitOps implements AlertStoreOps {
  readonly #db: SqlRunner;
  readonly #dialect: SqlDialect;
  readonly #lock: string;

  constructor(db: SqlRunner, dialect: SqlDialect, inTransaction = false) {
    super(db, dialect, inTransaction);
    this.#db = db;
    this.#dialect = dialect;
    this.#lock = inTransaction ? dialect.forUpdate : '';
  }

  async createAlert(a: AlertRecord): Promise<boolean> {
    const changed = await this.#db.run(
      `INSERT INTO alerts (id, detector, severity, action, user_id, device_id, summary, data, audit_seq,
         dedupe_key, created_at, status, acked_by, acked_at, ack_note, lock_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      [
        a.id,
        a.detector,
        a.severity,
        a.action,
        a.userId,
        a.deviceId,
        a.summary,
        JSON.stringify(a.data),
        a.auditSeq,
        a.dedupeKey,
        a.createdAt,
        a.status,
        a.ackedBy,
        a.ackedAt,
        a.ackNote,
        a.lockId,
      ],
    );
    return changed === 1;
  }

  async getAlert(id: string): Promise<AlertRecord | undefined> {
    const rows = await this.#db.all<AlertRow>(`SELECT * FROM alerts WHERE id = ?${this.#lock}`, [id]);
    return rows[0] && toAlert(rows[0]);
  }

  async listAlerts(filter: { status?: AlertStatus; userId?: string; limit: number }): Promise<AlertRecord[]> {
    const { where, params } = conditions([
      ['status = ?', filter.status],
      ['user_id = ?', filter.userId],
    ]);
    const rows = await this.#db.all<AlertRow>(
      `SELECT * FROM alerts ${where} ORDER BY created_at DESC, audit_seq DESC, id LIMIT ?`,
      [...params, filter.limit],
    );
    return rows.map(toAlert);
  }

  async ackAlert(id: string, by: string, at: number, note: string | null): Promise<boolean> {
    const changed = await this.#db.run(
      `UPDATE alerts SET status = 'acknowledged', acked_by = ?, acked_at = ?, ack_note = ?
       WHERE id = ? AND status = 'open'`,
      [by, at, note, id],
    );
    return changed === 1;
  }

  async setAlertLock(alertId: string, lockId: string): Promise<void> {
    await this.#db.run('UPDATE alerts SET lock_id = ? WHERE id = ?', [lockId, alertId]);
  }

  async createLock(l: LockRecord): Promise<boolean> {
    // The partial unique index locks_in_force (kind, subject_id) WHERE unlocked_at IS NULL makes
    // a second lock of the same subject a no-op, whichever instance or detector tries.
    const changed = await this.#db.run(
      `INSERT INTO locks (id, kind, subject_id, user_id, device_id, reason, alert_id, locked_by, locked_at,
         unlocked_by, unlocked_at, unlock_reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      [
        l.id,
        l.kind,
        subjectOf(l),
        l.userId,
        l.deviceId,
        l.reason,
        l.alertId,
        l.lockedBy,
        l.lockedAt,
        l.unlockedBy,
        l.unlockedAt,
        l.unlockReason,
      ],
    );
    return changed === 1;
  }

  async getLock(id: string): Promise<LockRecord | undefined> {
    const rows = await this.#db.all<LockRow>(`SELECT * FROM locks WHERE id = ?${this.#lock}`, [id]);
    return rows[0] && toLock(rows[0]);
  }

  async getActiveLock(kind: LockKind, subjectId: string): Promise<LockRecord | undefined> {
    const rows = await this.#db.all<LockRow>(
      'SELECT * FROM locks WHERE kind = ? AND subject_id = ? AND unlocked_at IS NULL',
      [kind, subjectId],
    );
    return rows[0] && toLock(rows[0]);
  }

  async listLocks(filter: { active?: boolean; userId?: string; limit: number }): Promise<LockRecord[]> {
    const { where, params } = conditions([
      [filter.active === true ? 'unlocked_at IS NULL' : 'unlocked_at IS NOT NULL', filter.active],
      ['user_id = ?', filter.userId],
    ]);
    const rows = await this.#db.all<LockRow>(
      `SELECT * FROM locks ${where} ORDER BY locked_at DESC, id LIMIT ?`,
      [...params, filter.limit],
    );
    return rows.map(toLock);
  }

  async endLock(id: string, by: string, at: number, reason: string): Promise<boolean> {
    const changed = await this.#db.run(
      `UPDATE locks SET unlocked_by = ?, unlocked_at = ?, unlock_reason = ? WHERE id = ? AND unlocked_at IS NULL`,
      [by, at, reason, id],
    );
    return changed === 1;
  }

  async enqueueWebhookDelivery(d: WebhookDeliveryRecord): Promise<void> {
    await this.#db.run(
      `INSERT INTO webhook_deliveries (id, url, event, body, alert_id, status, attempts, next_attempt_at,
         last_status, last_error, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        d.id,
        d.url,
        d.event,
        d.body,
        d.alertId,
        d.status,
        d.attempts,
        d.nextAttemptAt,
        d.lastStatus,
        d.lastError,
        d.createdAt,
        d.updatedAt,
      ],
    );
  }

  async getWebhookDelivery(id: string): Promise<WebhookDeliveryRecord | undefined> {
    const rows = await this.#db.all<DeliveryRow>(
      `SELECT * FROM webhook_deliveries WHERE id = ?${this.#lock}`,
      [id],
    );
    return rows[0] && toDelivery(rows[0]);
  }

  async listDueWebhookDeliveries(now: number, limit: number): Promise<WebhookDeliveryRecord[]> {
    const rows = await this.#db.all<DeliveryRow>(
      `SELECT * FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ?
       ORDER BY next_attempt_at, id LIMIT ?`,
      [now, limit],
    );
    return rows.map(toDelivery);
  }

  async claimWebhookDelivery(
    id: string,
    attempts: number,
    now: number,
    leaseUntil: number,
  ): Promise<boolean> {
    const changed = await this.#db.run(
      `UPDATE webhook_deliveries SET next_attempt_at = ?, updated_at = ?
       WHERE id = ? AND status = 'pending' AND attempts = ? AND next_attempt_at <= ?`,
      [leaseUntil, now, id, attempts, now],
    );
    return changed === 1;
  }

  async recordWebhookAttempt(
    id: string,
    o: {
      status: WebhookDeliveryStatus;
      attempts: number;
      nextAttemptAt: number;
      lastStatus: number | null;
      lastError: string | null;
      at: number;
    },
  ): Promise<void> {
    await this.#db.run(
      `UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_status = ?,
         last_error = ?, updated_at = ? WHERE id = ?`,
      [o.status, o.attempts, o.nextAttemptAt, o.lastStatus, o.lastError, o.at, id],
    );
  }

  async listWebhookDeliveries(filter: {
    status?: WebhookDeliveryStatus;
    limit: number;
  }): Promise<WebhookDeliveryRecord[]> {
    const { where, params } = conditions([['status = ?', filter.status]]);
    const rows = await this.#db.all<DeliveryRow>(
      `SELECT * FROM webhook_deliveries ${where} ORDER BY created_at DESC, id LIMIT ?`,
      [...params, filter.limit],
    );
    return rows.map(toDelivery);
  }

  async putUserAttribute(userId: string, name: string, value: unknown): Promise<void> {
    if (value === null || value === undefined) {
      await this.#db.run('DELETE FROM user_attributes WHERE user_id = ? AND name = ?', [userId, name]);
      return;
    }
    await this.#db.run(
      `INSERT INTO user_attributes (user_id, name, value) VALUES (?, ?, ?)
       ON CONFLICT (user_id, name) DO UPDATE SET value = excluded.value`,
      [userId, name, JSON.stringify(value)],
    );
  }

  async getUserAttributes(userId: string): Promise<Record<string, unknown>> {
    const rows = await this.#db.all<{ name: string; value: string }>(
      'SELECT name, value FROM user_attributes WHERE user_id = ? ORDER BY name',
      [userId],
    );
    return Object.fromEntries(rows.map((r) => [r.name, JSON.parse(r.value) as unknown]));
  }

  async listUserAttribute(name: string): Promise<Array<{ userId: string; value: unknown }>> {
    const rows = await this.#db.all<{ user_id: string; value: string }>(
      'SELECT user_id, value FROM user_attributes WHERE name = ? ORDER BY user_id',
      [name],
    );
    return rows.map((r) => ({ userId: r.user_id, value: JSON.parse(r.value) as unknown }));
  }

  async oidcRevokeAccount(accountId: string, jkt?: string): Promise<string[]> {
    const account = this.#jsonField('accountId');
    const models = ACCOUNT_MODELS.map(() => '?').join(', ');
    const grants =
      jkt === undefined
        ? await this.#db.all<{ id: string }>(
            `SELECT id FROM oidc_payloads WHERE model = 'Grant' AND ${account} = ?`,
            [accountId],
          )
        : await this.#db.all<{ id: string }>(
            `SELECT DISTINCT grant_id AS id FROM oidc_payloads
             WHERE model IN ('AccessToken', 'RefreshToken') AND grant_id IS NOT NULL
               AND ${account} = ? AND ${this.#jsonField('jkt')} = ?`,
            [accountId, jkt],
          );
    const ids = grants.map((g) => g.id);
    for (const id of ids) {
      await this.#db.run(`DELETE FROM oidc_payloads WHERE grant_id = ? OR (model = 'Grant' AND id = ?)`, [
        id,
        id,
      ]);
    }
    // Without a device key: every session of the account, so no silent re-authorization follows.
    if (jkt === undefined) {
      await this.#db.run(`DELETE FROM oidc_payloads WHERE model IN (${models}) AND ${account} = ?`, [
        ...ACCOUNT_MODELS,
        accountId,
      ]);
    }
    return ids;
  }

  #jsonField(name: 'accountId' | 'jkt'): string {
    return this.#dialect.name === 'sqlite'
      ? `json_extract(payload, '$.${name}')`
      : `(payload::jsonb ->> '${name}')`;
  }
}

function subjectOf(lock: Pick<LockRecord, 'kind' | 'userId' | 'deviceId'>): string {
  return lock.kind === 'user' ? lock.userId : (lock.deviceId ?? '');
}

/** `WHERE a AND b` from the conditions whose value is defined (a boolean adds no parameter). */
function conditions(parts: Array<[string, string | boolean | undefined]>): {
  where: string;
  params: SqlValue[];
} {
  const used = parts.filter(([, value]) => value !== undefined);
  return {
    where: used.length === 0 ? '' : `WHERE ${used.map(([sql]) => sql).join(' AND ')}`,
    params: used.flatMap(([, value]) => (typeof value === 'string' ? [value] : [])),
  };
}
