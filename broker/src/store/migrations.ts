import { GENESIS_HASH } from '../audit/hashAuditRecord.js';
import type { SqlDialect } from './SqlDialect.js';

export interface Migration {
  /** Applied in ascending order, each once; recorded in `schema_migrations`. Never renumber. */
  version: number;
  name: string;
  statements: (dialect: SqlDialect) => string[];
}

/** Times are BIGINT milliseconds; booleans are 0/1 integers; JSON is TEXT (the same in both). */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'identity, oidc, settings, audit',
    statements: (d) => [
      `CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'locked', 'disabled')),
        created_at BIGINT NOT NULL)`,
      `CREATE TABLE roles (name TEXT PRIMARY KEY, description TEXT NOT NULL)`,
      `CREATE TABLE memberships (
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role_name TEXT NOT NULL REFERENCES roles(name) ON DELETE CASCADE,
        PRIMARY KEY (user_id, role_name))`,
      `CREATE TABLE credentials (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        public_key ${d.bytes} NOT NULL,
        counter BIGINT NOT NULL,
        transports TEXT NOT NULL,
        aaguid TEXT NOT NULL,
        backed_up INTEGER NOT NULL,
        created_at BIGINT NOT NULL,
        last_used_at BIGINT)`,
      `CREATE INDEX credentials_user ON credentials (user_id)`,
      `CREATE TABLE enrollments (
        token_hash TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        roles TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('admin-bootstrap', 'invite')),
        created_by TEXT,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        used_at BIGINT)`,
      `CREATE TABLE oidc_payloads (
        model TEXT NOT NULL,
        id TEXT NOT NULL,
        payload TEXT NOT NULL,
        expires_at BIGINT,
        grant_id TEXT,
        user_code TEXT,
        uid TEXT,
        consumed_at BIGINT,
        PRIMARY KEY (model, id))`,
      `CREATE INDEX oidc_payloads_grant ON oidc_payloads (grant_id)`,
      `CREATE INDEX oidc_payloads_uid ON oidc_payloads (model, uid)`,
      `CREATE INDEX oidc_payloads_user_code ON oidc_payloads (model, user_code)`,
      `CREATE INDEX oidc_payloads_expires ON oidc_payloads (expires_at)`,
      `CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)`,
      `CREATE TABLE audit_log (
        seq ${d.seqKey},
        time BIGINT NOT NULL,
        class_uid INTEGER NOT NULL,
        activity TEXT NOT NULL,
        body TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL)`,
      // The chain head: one row that every append reads and moves. In PostgreSQL it is read
      // FOR UPDATE, which serializes appends across broker instances sharing the database.
      `CREATE TABLE audit_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq BIGINT NOT NULL,
        hash TEXT NOT NULL)`,
      `INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${GENESIS_HASH}')`,
      `CREATE TABLE audit_checkpoints (
        seq BIGINT PRIMARY KEY,
        hash TEXT NOT NULL,
        time BIGINT NOT NULL,
        key_id TEXT NOT NULL,
        signature TEXT NOT NULL)`,
      ...appendOnly(d, 'audit_log'),
      ...appendOnly(d, 'audit_checkpoints'),
    ],
  },
  {
    version: 2,
    name: 'devices, posture, posture nonces, API proof jtis',
    statements: () => [
      // One row per device key; the RFC 7638 thumbprint is the `jkt` of its DPoP-bound tokens.
      `CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        thumbprint TEXT NOT NULL UNIQUE,
        public_jwk TEXT NOT NULL,
        key_protection TEXT NOT NULL CHECK (key_protection IN ('software', 'tpm', 'secure-enclave')),
        os TEXT NOT NULL,
        os_version TEXT NOT NULL,
        hostname TEXT NOT NULL,
        model TEXT,
        serial TEXT,
        status TEXT NOT NULL CHECK (status IN ('active', 'pending', 'locked', 'removed', 'replaced')),
        enrolled_at BIGINT NOT NULL,
        last_seen_at BIGINT NOT NULL,
        replaced_by TEXT)`,
      `CREATE INDEX devices_user ON devices (user_id)`,
      `CREATE TABLE device_posture (
        device_id TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
        attested_at BIGINT NOT NULL,
        compliant INTEGER NOT NULL,
        agent_version TEXT NOT NULL,
        platform TEXT NOT NULL,
        checks TEXT NOT NULL)`,
      `CREATE TABLE posture_nonces (
        nonce_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        device_id TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        used_at BIGINT)`,
      `CREATE INDEX posture_nonces_expires ON posture_nonces (expires_at)`,
      `CREATE TABLE api_proof_jtis (jti_hash TEXT PRIMARY KEY, expires_at BIGINT NOT NULL)`,
      `CREATE INDEX api_proof_jtis_expires ON api_proof_jtis (expires_at)`,
    ],
  },
  {
    version: 3,
    name: 'JIT requests, approvals, grants, user events',
    statements: (d) => [
      `CREATE TABLE jit_requests (
        id TEXT PRIMARY KEY,
        requester_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        target_type TEXT NOT NULL,
        target_id TEXT NOT NULL,
        tier TEXT NOT NULL,
        duration_minutes INTEGER NOT NULL CHECK (duration_minutes > 0),
        reason TEXT NOT NULL,
        ticket TEXT,
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'cancelled', 'expired')),
        approvals_required INTEGER NOT NULL CHECK (approvals_required >= 0),
        emergency INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        bundle_hash TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        decided_at BIGINT,
        decided_by TEXT,
        deny_reason TEXT,
        review_status TEXT NOT NULL CHECK (review_status IN ('none', 'pending', 'done')))`,
      `CREATE INDEX jit_requests_requester ON jit_requests (requester_id, created_at)`,
      `CREATE INDEX jit_requests_status ON jit_requests (status, expires_at)`,
      // One row per (request, approver): the same person can never count twice.
      `CREATE TABLE jit_approvals (
        request_id TEXT NOT NULL REFERENCES jit_requests(id) ON DELETE CASCADE,
        approver_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        credential_id TEXT NOT NULL,
        approved_at BIGINT NOT NULL,
        PRIMARY KEY (request_id, approver_id))`,
      `CREATE TABLE jit_grants (
        id TEXT PRIMARY KEY,
        request_id TEXT NOT NULL UNIQUE REFERENCES jit_requests(id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        target_type TEXT NOT NULL,
        target_id TEXT NOT NULL,
        tier TEXT NOT NULL,
        duration_minutes INTEGER NOT NULL CHECK (duration_minutes > 0),
        status TEXT NOT NULL CHECK (status IN ('approved', 'active', 'ended')),
        emergency INTEGER NOT NULL,
        created_at BIGINT NOT NULL,
        activate_by BIGINT NOT NULL,
        activated_at BIGINT,
        expires_at BIGINT,
        ended_at BIGINT,
        end_reason TEXT)`,
      `CREATE INDEX jit_grants_user ON jit_grants (user_id, status)`,
      `CREATE INDEX jit_grants_expiry ON jit_grants (status, expires_at)`,
      // The per-user event stream (SSE, resumable with Last-Event-ID); dedupe_key lets sweepers
      // record "expiring"/"ended" exactly once however often and wherever they run.
      `CREATE TABLE user_events (
        id ${d.name === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY'},
        user_id TEXT NOT NULL,
        type TEXT NOT NULL,
        data TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        dedupe_key TEXT UNIQUE)`,
      `CREATE INDEX user_events_user ON user_events (user_id, id)`,
    ],
  },
  {
    version: 4,
    name: 'issued short-lived credentials (ledger for revocation, KRL and denylists)',
    statements: () => [
      `CREATE TABLE issued_credentials (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        device_id TEXT NOT NULL,
        grant_id TEXT NOT NULL REFERENCES jit_grants(id) ON DELETE CASCADE,
        audience TEXT NOT NULL,
        serial TEXT,
        issued_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        revoked_at BIGINT,
        revoke_reason TEXT)`,
      `CREATE INDEX issued_credentials_grant ON issued_credentials (grant_id)`,
      `CREATE INDEX issued_credentials_user ON issued_credentials (user_id, issued_at)`,
      `CREATE INDEX issued_credentials_revoked ON issued_credentials (kind, revoked_at, expires_at)`,
    ],
  },
  {
    version: 5,
    name: 'alerts, locks, webhook deliveries (dead letters), user attributes',
    statements: () => [
      `CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        detector TEXT NOT NULL,
        severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
        action TEXT NOT NULL CHECK (action IN ('alert', 'lock-principal', 'lock-device')),
        user_id TEXT,
        device_id TEXT,
        summary TEXT NOT NULL,
        data TEXT NOT NULL,
        audit_seq BIGINT NOT NULL,
        dedupe_key TEXT NOT NULL UNIQUE,
        created_at BIGINT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged')),
        acked_by TEXT,
        acked_at BIGINT,
        ack_note TEXT,
        lock_id TEXT)`,
      `CREATE INDEX alerts_status ON alerts (status, created_at)`,
      `CREATE INDEX alerts_user ON alerts (user_id, created_at)`,
      // subject_id is the user id (kind user) or the device id (kind device).
      `CREATE TABLE locks (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('user', 'device')),
        subject_id TEXT NOT NULL,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        device_id TEXT,
        reason TEXT NOT NULL,
        alert_id TEXT,
        locked_by TEXT,
        locked_at BIGINT NOT NULL,
        unlocked_by TEXT,
        unlocked_at BIGINT,
        unlock_reason TEXT)`,
      // At most one lock in force per subject, whichever instance or detector locks.
      `CREATE UNIQUE INDEX locks_in_force ON locks (kind, subject_id) WHERE unlocked_at IS NULL`,
      `CREATE INDEX locks_user ON locks (user_id, locked_at)`,
      // The alert webhook outbox: retries with backoff survive a restart; `dead` rows are dead letters.
      `CREATE TABLE webhook_deliveries (
        id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        event TEXT NOT NULL,
        body TEXT NOT NULL,
        alert_id TEXT,
        status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
        attempts INTEGER NOT NULL,
        next_attempt_at BIGINT NOT NULL,
        last_status INTEGER,
        last_error TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL)`,
      `CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at)`,
      `CREATE TABLE user_attributes (
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (user_id, name))`,
    ],
  },
  {
    version: 6,
    name: 'access reviews of standing memberships',
    statements: () => [
      `CREATE TABLE review_campaigns (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
        created_by TEXT,
        created_at BIGINT NOT NULL,
        deadline BIGINT NOT NULL,
        unreviewed_action TEXT NOT NULL CHECK (unreviewed_action IN ('remove', 'keep')),
        stale_after_days INTEGER NOT NULL CHECK (stale_after_days > 0),
        bundle_hash TEXT NOT NULL,
        closed_at BIGINT)`,
      `CREATE INDEX review_campaigns_status ON review_campaigns (status, deadline)`,
      // One row per membership under review; the decision moves only from 'pending' (decideReviewItem).
      `CREATE TABLE review_items (
        campaign_id TEXT NOT NULL REFERENCES review_campaigns(id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role_name TEXT NOT NULL,
        last_used_at BIGINT,
        stale INTEGER NOT NULL,
        decision TEXT NOT NULL CHECK (decision IN ('pending', 'keep', 'remove')),
        decided_by TEXT,
        decided_at BIGINT,
        PRIMARY KEY (campaign_id, user_id, role_name))`,
    ],
  },
  {
    version: 7,
    name: 'oidc_payloads: uid and user_code indexes hold only rows that have one',
    // Only sessions (uid) and device codes (user_code) have them; every token, grant and DPoP
    // replay record wrote a NULL entry into both indexes (two of six B-trees per insert). A lookup
    // `uid = ?` implies `uid IS NOT NULL`, so SQLite and PostgreSQL use the partial index for it.
    statements: () => [
      `DROP INDEX oidc_payloads_uid`,
      `CREATE INDEX oidc_payloads_uid ON oidc_payloads (model, uid) WHERE uid IS NOT NULL`,
      `DROP INDEX oidc_payloads_user_code`,
      `CREATE INDEX oidc_payloads_user_code ON oidc_payloads (model, user_code) WHERE user_code IS NOT NULL`,
    ],
  },
];

/**
 * Defence in depth: the broker never updates or deletes audit rows, so the database refuses to.
 * (Someone with file or superuser access can still drop the trigger; the hash chain and the
 * signed checkpoints are what make that visible.)
 */
function appendOnly(d: SqlDialect, table: string): string[] {
  if (d.name === 'sqlite') {
    return ['UPDATE', 'DELETE'].map(
      (op) =>
        `CREATE TRIGGER ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table}
         BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END`,
    );
  }
  return [
    `CREATE FUNCTION ${table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN RAISE EXCEPTION '${table} is append-only'; END $$`,
    `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
     FOR EACH ROW EXECUTE FUNCTION ${table}_append_only()`,
  ];
}
