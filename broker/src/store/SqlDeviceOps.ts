import { BrokerError } from '../errors/BrokerError.js';
import type {
  DevicePostureRecord,
  DeviceRecord,
  DeviceStatus,
  NonceConsumption,
  PostureNonceRecord,
} from './deviceRecords.js';
import type { DeviceStoreOps } from './DeviceStoreOps.js';
import { SqlAlertOps } from './SqlAlertOps.js';
import type { SqlDialect } from './SqlDialect.js';
import type { SqlRunner } from './SqlRunner.js';

interface DeviceRow {
  id: string;
  user_id: string;
  thumbprint: string;
  public_jwk: string;
  key_protection: DeviceRecord['keyProtection'];
  os: string;
  os_version: string;
  hostname: string;
  model: string | null;
  serial: string | null;
  status: DeviceStatus;
  enrolled_at: number;
  last_seen_at: number;
  replaced_by: string | null;
}

interface PostureRow {
  device_id: string;
  attested_at: number;
  compliant: number;
  agent_version: string;
  platform: string;
  checks: string;
}

interface NonceRow {
  user_id: string;
  device_id: string;
  expires_at: number;
  used_at: number | null;
}

const toDevice = (r: DeviceRow): DeviceRecord => ({
  id: r.id,
  userId: r.user_id,
  thumbprint: r.thumbprint,
  publicJwk: JSON.parse(r.public_jwk) as DeviceRecord['publicJwk'],
  keyProtection: r.key_protection,
  os: r.os,
  osVersion: r.os_version,
  hostname: r.hostname,
  model: r.model,
  serial: r.serial,
  status: r.status,
  enrolledAt: r.enrolled_at,
  lastSeenAt: r.last_seen_at,
  replacedBy: r.replaced_by,
});

const toPosture = (r: PostureRow): DevicePostureRecord => ({
  deviceId: r.device_id,
  attestedAt: r.attested_at,
  compliant: r.compliant === 1,
  agentVersion: r.agent_version,
  platform: r.platform,
  checks: JSON.parse(r.checks) as DevicePostureRecord['checks'],
});

/**
 * The device registry in SQL both engines accept (migration 2). `SqlStoreOps` extends this, so
 * these run on the same connection or transaction as every other store operation.
 */
export class SqlDeviceOps extends SqlAlertOps implements DeviceStoreOps {
  readonly #db: SqlRunner;
  readonly #lock: string;

  constructor(db: SqlRunner, dialect: SqlDialect, inTransaction = false) {
    super(db, dialect, inTransaction);
    this.#db = db;
    this.#lock = inTransaction ? dialect.forUpdate : '';
  }

  async createDevice(d: DeviceRecord): Promise<void> {
    await this.#db.run(
      `INSERT INTO devices (id, user_id, thumbprint, public_jwk, key_protection, os, os_version, hostname,
         model, serial, status, enrolled_at, last_seen_at, replaced_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        d.id,
        d.userId,
        d.thumbprint,
        JSON.stringify(d.publicJwk),
        d.keyProtection,
        d.os,
        d.osVersion,
        d.hostname,
        d.model,
        d.serial,
        d.status,
        d.enrolledAt,
        d.lastSeenAt,
        d.replacedBy,
      ],
    );
  }

  async getDevice(id: string): Promise<DeviceRecord | undefined> {
    const rows = await this.#db.all<DeviceRow>(`SELECT * FROM devices WHERE id = ?${this.#lock}`, [id]);
    return rows[0] && toDevice(rows[0]);
  }

  async getDeviceByThumbprint(thumbprint: string): Promise<DeviceRecord | undefined> {
    const rows = await this.#db.all<DeviceRow>(`SELECT * FROM devices WHERE thumbprint = ?${this.#lock}`, [
      thumbprint,
    ]);
    return rows[0] && toDevice(rows[0]);
  }

  async listDevices(userId: string): Promise<DeviceRecord[]> {
    const rows = await this.#db.all<DeviceRow>(
      'SELECT * FROM devices WHERE user_id = ? ORDER BY enrolled_at, id',
      [userId],
    );
    return rows.map(toDevice);
  }

  async setDeviceStatus(id: string, status: DeviceStatus, replacedBy: string | null = null): Promise<void> {
    const changed = await this.#db.run('UPDATE devices SET status = ?, replaced_by = ? WHERE id = ?', [
      status,
      replacedBy,
      id,
    ]);
    if (changed === 0) throw new BrokerError('not_found', 'no such device');
  }

  async touchDevice(id: string, seenAt: number): Promise<void> {
    await this.#db.run('UPDATE devices SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?', [
      seenAt,
      id,
      seenAt,
    ]);
  }

  async putDevicePosture(p: DevicePostureRecord): Promise<void> {
    await this.#db.run(
      `INSERT INTO device_posture (device_id, attested_at, compliant, agent_version, platform, checks)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (device_id) DO UPDATE SET attested_at = excluded.attested_at,
         compliant = excluded.compliant, agent_version = excluded.agent_version,
         platform = excluded.platform, checks = excluded.checks`,
      [p.deviceId, p.attestedAt, p.compliant ? 1 : 0, p.agentVersion, p.platform, JSON.stringify(p.checks)],
    );
  }

  async getDevicePosture(deviceId: string): Promise<DevicePostureRecord | undefined> {
    const rows = await this.#db.all<PostureRow>('SELECT * FROM device_posture WHERE device_id = ?', [
      deviceId,
    ]);
    return rows[0] && toPosture(rows[0]);
  }

  async createPostureNonce(n: PostureNonceRecord): Promise<void> {
    await this.#db.run(
      `INSERT INTO posture_nonces (nonce_hash, user_id, device_id, created_at, expires_at, used_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
      [n.nonceHash, n.userId, n.deviceId, n.createdAt, n.expiresAt, n.usedAt],
    );
  }

  async consumePostureNonce(
    nonceHash: string,
    userId: string,
    deviceId: string,
    now: number,
  ): Promise<NonceConsumption> {
    // One conditional UPDATE decides (row lock in PostgreSQL, write lock in SQLite): single use.
    const changed = await this.#db.run(
      `UPDATE posture_nonces SET used_at = ?
       WHERE nonce_hash = ? AND user_id = ? AND device_id = ? AND used_at IS NULL AND expires_at > ?`,
      [now, nonceHash, userId, deviceId, now],
    );
    if (changed === 1) return 'ok';
    // Only to name the refusal; the decision above is already final.
    const rows = await this.#db.all<NonceRow>('SELECT * FROM posture_nonces WHERE nonce_hash = ?', [
      nonceHash,
    ]);
    const row = rows[0];
    if (!row) return 'unknown';
    if (row.user_id !== userId || row.device_id !== deviceId) return 'wrong_device';
    if (row.used_at !== null) return 'used';
    return 'expired';
  }

  async recordProofJti(jtiHash: string, expiresAt: number, now: number): Promise<boolean> {
    // A live entry makes the insert do nothing (replay); an expired one is taken over.
    const changed = await this.#db.run(
      `INSERT INTO api_proof_jtis (jti_hash, expires_at) VALUES (?, ?)
       ON CONFLICT (jti_hash) DO UPDATE SET expires_at = excluded.expires_at
       WHERE api_proof_jtis.expires_at <= ?`,
      [jtiHash, expiresAt, now],
    );
    return changed === 1;
  }

  async sweepDeviceState(now: number): Promise<number> {
    const nonces = await this.#db.run('DELETE FROM posture_nonces WHERE expires_at <= ?', [now]);
    const jtis = await this.#db.run('DELETE FROM api_proof_jtis WHERE expires_at <= ?', [now]);
    return nonces + jtis;
  }
}
