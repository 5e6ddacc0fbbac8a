import type {
  IssuedCredentialKind,
  IssuedCredentialRecord,
  NewIssuedCredential,
} from '../credentials/issuedCredentialRecord.js';
import type { IssuedCredentialStoreOps } from './IssuedCredentialStoreOps.js';
import type { SqlRunner } from './SqlRunner.js';

interface IssuedCredentialRow {
  id: string;
  kind: IssuedCredentialKind;
  user_id: string;
  device_id: string;
  grant_id: string;
  audience: string;
  serial: string | null;
  issued_at: number;
  expires_at: number;
  revoked_at: number | null;
  revoke_reason: string | null;
}

function toIssuedCredential(r: IssuedCredentialRow): IssuedCredentialRecord {
  return {
    id: r.id,
    kind: r.kind,
    userId: r.user_id,
    deviceId: r.device_id,
    grantId: r.grant_id,
    audience: r.audience,
    serial: r.serial,
    issuedAt: Number(r.issued_at),
    expiresAt: Number(r.expires_at),
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
    revokeReason: r.revoke_reason,
  };
}

/** The issued-credential ledger in SQL, shared by SQLite and PostgreSQL. */
export class SqlIssuedCredentialOps implements IssuedCredentialStoreOps {
  readonly #db: SqlRunner;

  constructor(db: SqlRunner) {
    this.#db = db;
  }

  async recordIssuedCredential(c: NewIssuedCredential): Promise<void> {
    await this.#db.run(
      `INSERT INTO issued_credentials
       (id, kind, user_id, device_id, grant_id, audience, serial, issued_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [c.id, c.kind, c.userId, c.deviceId, c.grantId, c.audience, c.serial, c.issuedAt, c.expiresAt],
    );
  }

  async getIssuedCredential(id: string): Promise<IssuedCredentialRecord | undefined> {
    const rows = await this.#db.all<IssuedCredentialRow>('SELECT * FROM issued_credentials WHERE id = ?', [
      id,
    ]);
    return rows[0] === undefined ? undefined : toIssuedCredential(rows[0]);
  }

  revokeCredentialsOfGrant(grantId: string, at: number, reason: string): Promise<IssuedCredentialRecord[]> {
    return this.#revokeWhere('grant_id', grantId, at, reason);
  }

  revokeCredentialsOfUser(userId: string, at: number, reason: string): Promise<IssuedCredentialRecord[]> {
    return this.#revokeWhere('user_id', userId, at, reason);
  }

  async listRevokedCredentials(kind: IssuedCredentialKind, now: number): Promise<IssuedCredentialRecord[]> {
    const rows = await this.#db.all<IssuedCredentialRow>(
      `SELECT * FROM issued_credentials WHERE kind = ? AND revoked_at IS NOT NULL AND expires_at > ?
       ORDER BY issued_at, id`,
      [kind, now],
    );
    return rows.map(toIssuedCredential);
  }

  async countIssuedCredentials(userId: string, since: number): Promise<number> {
    const rows = await this.#db.all<{ n: number | string }>(
      'SELECT COUNT(*) AS n FROM issued_credentials WHERE user_id = ? AND issued_at >= ?',
      [userId, since],
    );
    return Number(rows[0]?.n ?? 0);
  }

  // Already-expired credentials are left alone: they are dead anyway and never listed in a KRL.
  async #revokeWhere(
    column: 'grant_id' | 'user_id',
    value: string,
    at: number,
    reason: string,
  ): Promise<IssuedCredentialRecord[]> {
    const rows = await this.#db.all<IssuedCredentialRow>(
      `UPDATE issued_credentials SET revoked_at = ?, revoke_reason = ?
       WHERE ${column} = ? AND revoked_at IS NULL AND expires_at > ? RETURNING *`,
      [at, reason, value, at],
    );
    return rows.map(toIssuedCredential).sort((a, b) => a.issuedAt - b.issuedAt || a.id.localeCompare(b.id));
  }
}
