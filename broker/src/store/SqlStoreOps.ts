import { GENESIS_HASH } from '../audit/hashAuditRecord.js';
import type { AuditCheckpoint, AuditEventInput, AuditRecord } from '../audit/AuditEvent.js';
import { validAuditEvent } from '../audit/validAuditEvent.js';
import { chainAuditRecords } from '../audit/chainAuditRecords.js';
import { BrokerError } from '../errors/BrokerError.js';
import type {
  CredentialRecord,
  EnrollmentRecord,
  OidcPayloadRecord,
  RoleRecord,
  UserRecord,
  UserStatus,
} from './records.js';
import { SqlReviewOps } from './SqlReviewOps.js';
import type { SqlDialect } from './SqlDialect.js';
import type { SqlRunner, SqlValue } from './SqlRunner.js';
import type { AuditHead, StoreOps } from './Store.js';
import {
  toAuditRecord,
  toCheckpoint,
  toCredential,
  toEnrollment,
  toOidcPayload,
  toUser,
  type AuditRow,
  type CheckpointRow,
  type CredentialRow,
  type EnrollmentRow,
  type OidcRow,
  type UserRow,
} from './sqlRows.js';

const auditColumns = ['seq', 'time', 'class_uid', 'activity', 'body', 'prev_hash', 'hash'] as const;

/**
 * Every store operation written once in SQL both engines accept, over a `SqlRunner` that is either
 * the connection itself (auto-commit) or one transaction. The stores decide which.
 */
export class SqlStoreOps extends SqlReviewOps implements StoreOps {
  readonly #db: SqlRunner;
  readonly #dialect: SqlDialect;
  /** Appended to single-record reads: inside a transaction they lock the row they read. */
  readonly #lock: string;

  /**
   * `inTransaction`: reads of one record lock it until commit (PostgreSQL `FOR UPDATE`; SQLite
   * already has a single writer), so read-check-write inside a transaction cannot race another
   * instance under READ COMMITTED (e.g. the WebAuthn sign counter, a single-use challenge).
   */
  constructor(db: SqlRunner, dialect: SqlDialect, inTransaction = false) {
    super(db, dialect, inTransaction);
    this.#db = db;
    this.#dialect = dialect;
    this.#lock = inTransaction ? dialect.forUpdate : '';
  }

  async createUser(user: Omit<UserRecord, 'status'> & { status?: UserStatus }): Promise<UserRecord> {
    const record: UserRecord = { ...user, status: user.status ?? 'active' };
    await this.#db.run(
      'INSERT INTO users (id, email, display_name, status, created_at) VALUES (?, ?, ?, ?, ?)',
      [record.id, record.email, record.displayName, record.status, record.createdAt],
    );
    return record;
  }

  async getUser(id: string): Promise<UserRecord | undefined> {
    const rows = await this.#db.all<UserRow>(`SELECT * FROM users WHERE id = ?${this.#lock}`, [id]);
    return rows[0] && toUser(rows[0]);
  }

  async getUserByEmail(email: string): Promise<UserRecord | undefined> {
    const rows = await this.#db.all<UserRow>(`SELECT * FROM users WHERE email = ?${this.#lock}`, [email]);
    return rows[0] && toUser(rows[0]);
  }

  async listUsers(): Promise<UserRecord[]> {
    const rows = await this.#db.all<UserRow>('SELECT * FROM users ORDER BY created_at, id');
    return rows.map(toUser);
  }

  async setUserStatus(id: string, status: UserStatus): Promise<void> {
    const changed = await this.#db.run('UPDATE users SET status = ? WHERE id = ?', [status, id]);
    if (changed === 0) throw new BrokerError('not_found', 'no such user');
  }

  async upsertRole(role: RoleRecord): Promise<void> {
    await this.#db.run(
      'INSERT INTO roles (name, description) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET description = excluded.description',
      [role.name, role.description],
    );
  }

  async listRoles(): Promise<RoleRecord[]> {
    return this.#db.all<RoleRecord>('SELECT name, description FROM roles ORDER BY name');
  }

  async addMembership(userId: string, roleName: string): Promise<void> {
    await this.#db.run('INSERT INTO memberships (user_id, role_name) VALUES (?, ?) ON CONFLICT DO NOTHING', [
      userId,
      roleName,
    ]);
  }

  async removeMembership(userId: string, roleName: string): Promise<void> {
    await this.#db.run('DELETE FROM memberships WHERE user_id = ? AND role_name = ?', [userId, roleName]);
  }

  async listMemberships(userId: string): Promise<string[]> {
    const rows = await this.#db.all<{ role_name: string }>(
      'SELECT role_name FROM memberships WHERE user_id = ? ORDER BY role_name',
      [userId],
    );
    return rows.map((row) => row.role_name);
  }

  async addCredential(c: CredentialRecord): Promise<void> {
    await this.#db.run(
      `INSERT INTO credentials (id, user_id, public_key, counter, transports, aaguid, backed_up, created_at, last_used_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        c.id,
        c.userId,
        Buffer.from(c.publicKey),
        c.counter,
        JSON.stringify(c.transports),
        c.aaguid,
        c.backedUp ? 1 : 0,
        c.createdAt,
        c.lastUsedAt,
      ],
    );
  }

  async getCredential(id: string): Promise<CredentialRecord | undefined> {
    const rows = await this.#db.all<CredentialRow>(`SELECT * FROM credentials WHERE id = ?${this.#lock}`, [
      id,
    ]);
    return rows[0] && toCredential(rows[0]);
  }

  async listCredentials(userId: string): Promise<CredentialRecord[]> {
    const rows = await this.#db.all<CredentialRow>(
      'SELECT * FROM credentials WHERE user_id = ? ORDER BY created_at, id',
      [userId],
    );
    return rows.map(toCredential);
  }

  async updateCredentialUse(id: string, counter: number, usedAt: number): Promise<void> {
    const changed = await this.#db.run('UPDATE credentials SET counter = ?, last_used_at = ? WHERE id = ?', [
      counter,
      usedAt,
      id,
    ]);
    if (changed === 0) throw new BrokerError('not_found', 'no such credential');
  }

  async createEnrollment(e: EnrollmentRecord): Promise<void> {
    await this.#db.run(
      `INSERT INTO enrollments (token_hash, email, roles, kind, created_by, created_at, expires_at, used_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        e.tokenHash,
        e.email,
        JSON.stringify(e.roles),
        e.kind,
        e.createdBy,
        e.createdAt,
        e.expiresAt,
        e.usedAt,
      ],
    );
  }

  async getEnrollment(tokenHash: string): Promise<EnrollmentRecord | undefined> {
    const rows = await this.#db.all<EnrollmentRow>(
      `SELECT * FROM enrollments WHERE token_hash = ?${this.#lock}`,
      [tokenHash],
    );
    return rows[0] && toEnrollment(rows[0]);
  }

  async consumeEnrollment(tokenHash: string, now: number): Promise<boolean> {
    // One conditional UPDATE: the row lock (PostgreSQL) or the write lock (SQLite) lets exactly
    // one caller see `used_at IS NULL`, so a link is single-use even under concurrent requests.
    const changed = await this.#db.run(
      'UPDATE enrollments SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?',
      [now, tokenHash, now],
    );
    return changed === 1;
  }

  async oidcUpsert(r: OidcPayloadRecord): Promise<void> {
    // Saving a record again never un-consumes it: a used code or rotated refresh token stays used.
    await this.#db.run(
      `INSERT INTO oidc_payloads (model, id, payload, expires_at, grant_id, user_code, uid, consumed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, expires_at = excluded.expires_at,
         grant_id = excluded.grant_id, user_code = excluded.user_code, uid = excluded.uid,
         consumed_at = COALESCE(oidc_payloads.consumed_at, excluded.consumed_at)`,
      [r.model, r.id, JSON.stringify(r.payload), r.expiresAt, r.grantId, r.userCode, r.uid, r.consumedAt],
    );
  }

  async oidcFind(model: string, id: string): Promise<OidcPayloadRecord | undefined> {
    return this.#oidcOne('SELECT * FROM oidc_payloads WHERE model = ? AND id = ?', [model, id]);
  }

  async oidcFindByUid(model: string, uid: string): Promise<OidcPayloadRecord | undefined> {
    return this.#oidcOne('SELECT * FROM oidc_payloads WHERE model = ? AND uid = ?', [model, uid]);
  }

  async oidcFindByUserCode(model: string, userCode: string): Promise<OidcPayloadRecord | undefined> {
    return this.#oidcOne('SELECT * FROM oidc_payloads WHERE model = ? AND user_code = ?', [model, userCode]);
  }

  async #oidcOne(sql: string, params: SqlValue[]): Promise<OidcPayloadRecord | undefined> {
    const rows = await this.#db.all<OidcRow>(`${sql} LIMIT 1${this.#lock}`, params);
    return rows[0] && toOidcPayload(rows[0]);
  }

  async oidcConsume(model: string, id: string, at: number): Promise<void> {
    // The first consumption time is kept: a replayed code must still look consumed at its first use.
    await this.#db.run(
      'UPDATE oidc_payloads SET consumed_at = COALESCE(consumed_at, ?) WHERE model = ? AND id = ?',
      [at, model, id],
    );
  }

  async oidcDestroy(model: string, id: string): Promise<void> {
    await this.#db.run('DELETE FROM oidc_payloads WHERE model = ? AND id = ?', [model, id]);
  }

  async oidcRevokeByGrantId(grantId: string): Promise<void> {
    await this.#db.run('DELETE FROM oidc_payloads WHERE grant_id = ?', [grantId]);
  }

  async getSetting<T = unknown>(name: string): Promise<T | undefined> {
    const rows = await this.#db.all<{ value: string }>(
      `SELECT value FROM settings WHERE name = ?${this.#lock}`,
      [name],
    );
    return rows[0] && (JSON.parse(rows[0].value) as T);
  }

  async putSetting(name: string, value: unknown): Promise<void> {
    await this.#db.run(
      'INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
      [name, settingJson(value)],
    );
  }

  async insertSettingIfAbsent(name: string, value: unknown): Promise<boolean> {
    const changed = await this.#db.run(
      'INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT DO NOTHING',
      [name, settingJson(value)],
    );
    return changed === 1;
  }

  async appendAudit(event: AuditEventInput): Promise<AuditRecord> {
    const [record] = await this.appendAuditBatch([event]);
    if (!record) throw new BrokerError('audit_write_failed', 'audit append returned nothing');
    return record;
  }

  async appendAuditBatch(events: readonly AuditEventInput[]): Promise<AuditRecord[]> {
    // Validate every event before touching the chain, so bad input changes nothing.
    const valid = events.map(validAuditEvent);
    if (valid.length === 0) return [];
    try {
      const head = await this.#readHead(true);
      const chained = chainAuditRecords(head, valid);
      const rows = chained.map(({ record: r, body }): SqlValue[] => [
        r.seq,
        r.time,
        r.classUid,
        r.activity,
        body,
        r.prevHash,
        r.hash,
      ]);
      await this.#db.insertRows('audit_log', auditColumns, rows);
      const last = chained[chained.length - 1]?.record ?? head;
      if (this.#dialect.name === 'postgres')
        await this.#db.run('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1', [last.seq, last.hash]);
      return chained.map((c) => c.record);
    } catch (cause) {
      if (cause instanceof BrokerError && cause.code === 'invalid_request') throw cause;
      throw new BrokerError('audit_write_failed', 'could not append to the audit log', { cause });
    }
  }

  /**
   * PostgreSQL: the `audit_head` row, locked FOR UPDATE, is what serializes appends from several
   * broker instances. SQLite: writers are already serialized by the database's single write lock
   * (BEGIN IMMEDIATE), so the head is simply the last record — one index lookup, and no second
   * page to write per append (its `audit_head` row stays at the migration's genesis value).
   */
  async #readHead(lock: boolean): Promise<AuditHead> {
    if (this.#dialect.name === 'sqlite') {
      const last = await this.#db.all<AuditHead>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
      return last[0] ?? { seq: 0, hash: GENESIS_HASH };
    }
    const rows = await this.#db.all<AuditHead>(
      `SELECT seq, hash FROM audit_head WHERE id = 1${lock ? this.#dialect.forUpdate : ''}`,
    );
    if (!rows[0]) throw new BrokerError('store_failed', 'audit chain head is missing; run migrations');
    return rows[0];
  }

  auditHead(): Promise<AuditHead> {
    return this.#readHead(false);
  }

  async readAudit(fromSeq: number, limit: number): Promise<AuditRecord[]> {
    const rows = await this.#db.all<AuditRow>('SELECT * FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT ?', [
      fromSeq,
      limit,
    ]);
    return rows.map(toAuditRecord);
  }

  async appendCheckpoint(c: AuditCheckpoint): Promise<void> {
    const last = await this.lastCheckpoint();
    if (last && c.seq <= last.seq)
      throw new BrokerError('conflict', 'checkpoint is not past the last checkpoint');
    const rows = await this.#db.all<{ hash: string }>('SELECT hash FROM audit_log WHERE seq = ?', [c.seq]);
    if (rows[0]?.hash !== c.hash)
      throw new BrokerError('conflict', 'checkpoint does not match the audit record');
    await this.#db.run(
      'INSERT INTO audit_checkpoints (seq, hash, time, key_id, signature) VALUES (?, ?, ?, ?, ?)',
      [c.seq, c.hash, c.time, c.keyId, c.signature],
    );
  }

  async listCheckpoints(): Promise<AuditCheckpoint[]> {
    const rows = await this.#db.all<CheckpointRow>('SELECT * FROM audit_checkpoints ORDER BY seq');
    return rows.map(toCheckpoint);
  }

  async lastCheckpoint(): Promise<AuditCheckpoint | undefined> {
    const rows = await this.#db.all<CheckpointRow>(
      'SELECT * FROM audit_checkpoints ORDER BY seq DESC LIMIT 1',
    );
    return rows[0] && toCheckpoint(rows[0]);
  }

  async sweepExpired(now: number): Promise<number> {
    return this.#db.run('DELETE FROM oidc_payloads WHERE expires_at IS NOT NULL AND expires_at <= ?', [now]);
  }
}

function settingJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new BrokerError('invalid_request', 'a setting must be a JSON value');
  return json;
}
