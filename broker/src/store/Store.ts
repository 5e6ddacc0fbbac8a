import type { AuditCheckpoint, AuditEventInput, AuditRecord } from '../audit/AuditEvent.js';
import type {
  CredentialRecord,
  EnrollmentRecord,
  OidcPayloadRecord,
  RoleRecord,
  UserRecord,
  UserStatus,
} from './records.js';
import type { AlertStoreOps } from './AlertStoreOps.js';
import type { DeviceStoreOps } from './DeviceStoreOps.js';
import type { IssuedCredentialStoreOps } from './IssuedCredentialStoreOps.js';
import type { JitStoreOps } from './JitStoreOps.js';
import type { ReviewStoreOps } from './ReviewStoreOps.js';

/**
 * Everything one transaction can do. Reads and writes; every write that matters to security is
 * paired with `appendAudit` in the same transaction, so if the audit record cannot be written the
 * change does not happen (ARCHITECTURE.md, "Events, audit, alerts").
 */
export interface StoreOps
  extends DeviceStoreOps, JitStoreOps, IssuedCredentialStoreOps, AlertStoreOps, ReviewStoreOps {
  // Users, roles, memberships (RBAC lives in the store; policy reads it).
  createUser(user: Omit<UserRecord, 'status'> & { status?: UserStatus }): Promise<UserRecord>;
  getUser(id: string): Promise<UserRecord | undefined>;
  getUserByEmail(email: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  setUserStatus(id: string, status: UserStatus): Promise<void>;
  upsertRole(role: RoleRecord): Promise<void>;
  listRoles(): Promise<RoleRecord[]>;
  addMembership(userId: string, roleName: string): Promise<void>;
  removeMembership(userId: string, roleName: string): Promise<void>;
  listMemberships(userId: string): Promise<string[]>;

  // WebAuthn credentials (security keys).
  addCredential(credential: CredentialRecord): Promise<void>;
  getCredential(id: string): Promise<CredentialRecord | undefined>;
  listCredentials(userId: string): Promise<CredentialRecord[]>;
  /** Sets the new sign counter and last use; callers have already checked it went forward. */
  updateCredentialUse(id: string, counter: number, usedAt: number): Promise<void>;

  // One-time enrollment links; only the SHA-256 of the token is stored.
  createEnrollment(enrollment: EnrollmentRecord): Promise<void>;
  getEnrollment(tokenHash: string): Promise<EnrollmentRecord | undefined>;
  /** Marks the link used if it is unused and unexpired at `now`; returns whether it did (single use). */
  consumeEnrollment(tokenHash: string, now: number): Promise<boolean>;

  // oidc-provider adapter storage (one table keyed by model and id).
  oidcUpsert(record: OidcPayloadRecord): Promise<void>;
  oidcFind(model: string, id: string): Promise<OidcPayloadRecord | undefined>;
  oidcFindByUid(model: string, uid: string): Promise<OidcPayloadRecord | undefined>;
  oidcFindByUserCode(model: string, userCode: string): Promise<OidcPayloadRecord | undefined>;
  oidcConsume(model: string, id: string, at: number): Promise<void>;
  oidcDestroy(model: string, id: string): Promise<void>;
  /** Removes every record of every model that carries this grantId (session revocation). */
  oidcRevokeByGrantId(grantId: string): Promise<void>;

  // Broker keys and small settings (JSON values), shared by every broker instance.
  getSetting<T = unknown>(name: string): Promise<T | undefined>;
  putSetting(name: string, value: unknown): Promise<void>;
  /**
   * Stores the setting only if no value exists yet; returns whether it did. Lets several broker
   * instances race to create a key once and all end up using the winner's.
   */
  insertSettingIfAbsent(name: string, value: unknown): Promise<boolean>;

  /**
   * Appends to the hash chain; the record commits with the surrounding transaction or not at all.
   * Fails closed: if the record cannot be written the call throws `audit_write_failed` and the
   * surrounding transaction must not commit.
   */
  appendAudit(event: AuditEventInput): Promise<AuditRecord>;
  /** Appends several records in order (one statement round per record, one commit for all). */
  appendAuditBatch(events: readonly AuditEventInput[]): Promise<AuditRecord[]>;
}

/** The newest record of the chain; `{ seq: 0, hash: GENESIS_HASH }` while the log is empty. */
export interface AuditHead {
  seq: number;
  hash: string;
}

export interface Store extends StoreOps {
  readonly kind: 'sqlite' | 'postgres';
  /** Creates or upgrades the schema; idempotent, safe for several instances at once. */
  migrate(): Promise<void>;
  /**
   * Runs `fn` in one transaction; it commits if `fn` resolves and rolls back if it throws.
   * Transactions do not nest: calling `transaction` (or any method of the store itself rather than
   * of `tx`) from inside `fn` is refused with `store_failed`, because it would either deadlock or
   * run outside the transaction and break its atomicity. `tx` is unusable once `fn` has settled.
   *
   * Isolation: a single-record read through `tx` (getUser, getCredential, getEnrollment, oidcFind*,
   * getSetting) locks that record until the transaction ends, so read-check-write inside one
   * transaction is safe against other callers and other broker instances. Lists do not lock.
   */
  transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T>;

  /** Records with `seq >= fromSeq` in order, at most `limit` of them. */
  readAudit(fromSeq: number, limit: number): Promise<AuditRecord[]>;
  auditHead(): Promise<AuditHead>;
  /** Refused with `conflict` unless `seq` is past the last checkpoint and `hash` is that record's. */
  appendCheckpoint(checkpoint: AuditCheckpoint): Promise<void>;
  listCheckpoints(): Promise<AuditCheckpoint[]>;
  lastCheckpoint(): Promise<AuditCheckpoint | undefined>;
  /** Deletes expired oidc-provider records. */
  sweepExpired(now: number): Promise<number>;
  /**
   * Tells every broker instance on this store that rows of `channel` were committed (PostgreSQL:
   * NOTIFY). A signal only: listeners re-read from their own cursor, so a lost signal costs
   * latency, never data. SQLite serves one instance and does nothing here.
   */
  signalCommitted(channel: CommitChannel): Promise<void>;
  /**
   * Calls `listener` whenever any instance signals `channel` (PostgreSQL: LISTEN on a dedicated
   * connection). Resolves to an unsubscribe function.
   */
  onCommitted(channel: CommitChannel, listener: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** What other broker instances can be woken up about. */
export type CommitChannel = 'user_events' | 'admin_events';
