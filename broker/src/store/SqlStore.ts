import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuditCheckpoint, AuditEventInput, AuditRecord } from '../audit/AuditEvent.js';
import { BrokerError } from '../errors/BrokerError.js';
import type {
  DevicePostureRecord,
  DeviceRecord,
  DeviceStatus,
  NonceConsumption,
  PostureNonceRecord,
} from './deviceRecords.js';
import type {
  CredentialRecord,
  EnrollmentRecord,
  OidcPayloadRecord,
  RoleRecord,
  UserRecord,
  UserStatus,
} from './records.js';
import type { AlertStoreOps } from './AlertStoreOps.js';
import type { IssuedCredentialStoreOps } from './IssuedCredentialStoreOps.js';
import type { JitStoreOps } from './JitStoreOps.js';
import type { ReviewStoreOps } from './ReviewStoreOps.js';
import type { SqlStoreOps } from './SqlStoreOps.js';
import type { AuditHead, CommitChannel, Store, StoreOps } from './Store.js';

interface TxScope {
  active: boolean;
}

/**
 * What the SQLite and PostgreSQL stores share: the guard against nested transactions and every
 * method outside a transaction, each run by `autoCommit` (one statement, committed on its own) or,
 * for the multi-statement audit appends, by a transaction of its own.
 */
export abstract class SqlStore implements Store {
  abstract readonly kind: 'sqlite' | 'postgres';
  readonly #scope = new AsyncLocalStorage<TxScope>();

  abstract migrate(): Promise<void>;
  abstract close(): Promise<void>;
  abstract signalCommitted(channel: CommitChannel): Promise<void>;
  abstract onCommitted(channel: CommitChannel, listener: () => void): Promise<() => Promise<void>>;
  /** Runs `fn` over ops that commit each statement on their own (already outside any transaction). */
  protected abstract autoCommit<T>(fn: (ops: SqlStoreOps) => Promise<T>): Promise<T>;
  /** Runs `fn` in one database transaction over ops that refuse use once it has settled. */
  protected abstract inTransaction<T>(fn: (ops: SqlStoreOps) => Promise<T>): Promise<T>;

  async transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T> {
    return this.#guarded(() => this.inTransaction((ops) => this.#enter(() => fn(ops))));
  }

  /** Refuses re-entry from inside a transaction: it would deadlock (SQLite) or escape atomicity. */
  #guarded<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#scope.getStore()?.active) {
      return Promise.reject(
        new BrokerError(
          'store_failed',
          'store used from inside its own transaction; use the `tx` handle (transactions do not nest)',
        ),
      );
    }
    return fn();
  }

  async #enter<T>(fn: () => Promise<T>): Promise<T> {
    const scope: TxScope = { active: true };
    try {
      return await this.#scope.run(scope, fn);
    } finally {
      scope.active = false;
    }
  }

  #auto<T>(fn: (ops: SqlStoreOps) => Promise<T>): Promise<T> {
    return this.#guarded(() => this.autoCommit(fn));
  }

  #tx<T>(fn: (ops: SqlStoreOps) => Promise<T>): Promise<T> {
    return this.#guarded(() => this.inTransaction(fn));
  }

  createUser(user: Omit<UserRecord, 'status'> & { status?: UserStatus }): Promise<UserRecord> {
    return this.#auto((o) => o.createUser(user));
  }
  getUser(id: string): Promise<UserRecord | undefined> {
    return this.#auto((o) => o.getUser(id));
  }
  getUserByEmail(email: string): Promise<UserRecord | undefined> {
    return this.#auto((o) => o.getUserByEmail(email));
  }
  listUsers(): Promise<UserRecord[]> {
    return this.#auto((o) => o.listUsers());
  }
  setUserStatus(id: string, status: UserStatus): Promise<void> {
    return this.#auto((o) => o.setUserStatus(id, status));
  }
  upsertRole(role: RoleRecord): Promise<void> {
    return this.#auto((o) => o.upsertRole(role));
  }
  listRoles(): Promise<RoleRecord[]> {
    return this.#auto((o) => o.listRoles());
  }
  addMembership(userId: string, roleName: string): Promise<void> {
    return this.#auto((o) => o.addMembership(userId, roleName));
  }
  removeMembership(userId: string, roleName: string): Promise<void> {
    return this.#auto((o) => o.removeMembership(userId, roleName));
  }
  listMemberships(userId: string): Promise<string[]> {
    return this.#auto((o) => o.listMemberships(userId));
  }
  addCredential(credential: CredentialRecord): Promise<void> {
    return this.#auto((o) => o.addCredential(credential));
  }
  getCredential(id: string): Promise<CredentialRecord | undefined> {
    return this.#auto((o) => o.getCredential(id));
  }
  listCredentials(userId: string): Promise<CredentialRecord[]> {
    return this.#auto((o) => o.listCredentials(userId));
  }
  updateCredentialUse(id: string, counter: number, usedAt: number): Promise<void> {
    return this.#auto((o) => o.updateCredentialUse(id, counter, usedAt));
  }
  createEnrollment(enrollment: EnrollmentRecord): Promise<void> {
    return this.#auto((o) => o.createEnrollment(enrollment));
  }
  getEnrollment(tokenHash: string): Promise<EnrollmentRecord | undefined> {
    return this.#auto((o) => o.getEnrollment(tokenHash));
  }
  consumeEnrollment(tokenHash: string, now: number): Promise<boolean> {
    return this.#auto((o) => o.consumeEnrollment(tokenHash, now));
  }
  oidcUpsert(record: OidcPayloadRecord): Promise<void> {
    return this.#auto((o) => o.oidcUpsert(record));
  }
  oidcFind(model: string, id: string): Promise<OidcPayloadRecord | undefined> {
    return this.#auto((o) => o.oidcFind(model, id));
  }
  oidcFindByUid(model: string, uid: string): Promise<OidcPayloadRecord | undefined> {
    return this.#auto((o) => o.oidcFindByUid(model, uid));
  }
  oidcFindByUserCode(model: string, userCode: string): Promise<OidcPayloadRecord | undefined> {
    return this.#auto((o) => o.oidcFindByUserCode(model, userCode));
  }
  oidcConsume(model: string, id: string, at: number): Promise<void> {
    return this.#auto((o) => o.oidcConsume(model, id, at));
  }
  oidcDestroy(model: string, id: string): Promise<void> {
    return this.#auto((o) => o.oidcDestroy(model, id));
  }
  oidcRevokeByGrantId(grantId: string): Promise<void> {
    return this.#auto((o) => o.oidcRevokeByGrantId(grantId));
  }
  getSetting<T = unknown>(name: string): Promise<T | undefined> {
    return this.#auto((o) => o.getSetting<T>(name));
  }
  putSetting(name: string, value: unknown): Promise<void> {
    return this.#auto((o) => o.putSetting(name, value));
  }
  insertSettingIfAbsent(name: string, value: unknown): Promise<boolean> {
    return this.#auto((o) => o.insertSettingIfAbsent(name, value));
  }
  appendAudit(event: AuditEventInput): Promise<AuditRecord> {
    return this.#tx((o) => o.appendAudit(event));
  }
  appendAuditBatch(events: readonly AuditEventInput[]): Promise<AuditRecord[]> {
    return this.#tx((o) => o.appendAuditBatch(events));
  }
  readAudit(fromSeq: number, limit: number): Promise<AuditRecord[]> {
    return this.#auto((o) => o.readAudit(fromSeq, limit));
  }
  auditHead(): Promise<AuditHead> {
    return this.#auto((o) => o.auditHead());
  }
  appendCheckpoint(checkpoint: AuditCheckpoint): Promise<void> {
    return this.#tx((o) => o.appendCheckpoint(checkpoint));
  }
  listCheckpoints(): Promise<AuditCheckpoint[]> {
    return this.#auto((o) => o.listCheckpoints());
  }
  lastCheckpoint(): Promise<AuditCheckpoint | undefined> {
    return this.#auto((o) => o.lastCheckpoint());
  }
  sweepExpired(now: number): Promise<number> {
    return this.#auto((o) => o.sweepExpired(now));
  }
  // Device registry (DeviceStoreOps.ts).
  createDevice(device: DeviceRecord): Promise<void> {
    return this.#auto((o) => o.createDevice(device));
  }
  getDevice(id: string): Promise<DeviceRecord | undefined> {
    return this.#auto((o) => o.getDevice(id));
  }
  getDeviceByThumbprint(thumbprint: string): Promise<DeviceRecord | undefined> {
    return this.#auto((o) => o.getDeviceByThumbprint(thumbprint));
  }
  listDevices(userId: string): Promise<DeviceRecord[]> {
    return this.#auto((o) => o.listDevices(userId));
  }
  setDeviceStatus(id: string, status: DeviceStatus, replacedBy?: string | null): Promise<void> {
    return this.#auto((o) => o.setDeviceStatus(id, status, replacedBy));
  }
  touchDevice(id: string, seenAt: number): Promise<void> {
    return this.#auto((o) => o.touchDevice(id, seenAt));
  }
  putDevicePosture(posture: DevicePostureRecord): Promise<void> {
    return this.#auto((o) => o.putDevicePosture(posture));
  }
  getDevicePosture(deviceId: string): Promise<DevicePostureRecord | undefined> {
    return this.#auto((o) => o.getDevicePosture(deviceId));
  }
  createPostureNonce(nonce: PostureNonceRecord): Promise<void> {
    return this.#auto((o) => o.createPostureNonce(nonce));
  }
  consumePostureNonce(
    nonceHash: string,
    userId: string,
    deviceId: string,
    now: number,
  ): Promise<NonceConsumption> {
    return this.#tx((o) => o.consumePostureNonce(nonceHash, userId, deviceId, now));
  }
  recordProofJti(jtiHash: string, expiresAt: number, now: number): Promise<boolean> {
    // Every /api/v1 call writes one: as a transaction it shares a commit (one fsync on SQLite)
    // with whatever else is in flight instead of paying a durable commit of its own.
    return this.#tx((o) => o.recordProofJti(jtiHash, expiresAt, now));
  }
  sweepDeviceState(now: number): Promise<number> {
    return this.#tx((o) => o.sweepDeviceState(now));
  }

  // JIT elevation (JitStoreOps.ts). Event appends take a transaction: see SqlJitOps.appendUserEvent.
  createAccessRequest(
    ...a: Parameters<JitStoreOps['createAccessRequest']>
  ): ReturnType<JitStoreOps['createAccessRequest']> {
    return this.#auto((o) => o.createAccessRequest(...a));
  }
  getAccessRequest(
    ...a: Parameters<JitStoreOps['getAccessRequest']>
  ): ReturnType<JitStoreOps['getAccessRequest']> {
    return this.#auto((o) => o.getAccessRequest(...a));
  }
  listAccessRequests(
    ...a: Parameters<JitStoreOps['listAccessRequests']>
  ): ReturnType<JitStoreOps['listAccessRequests']> {
    return this.#auto((o) => o.listAccessRequests(...a));
  }
  setAccessRequestStatus(
    ...a: Parameters<JitStoreOps['setAccessRequestStatus']>
  ): ReturnType<JitStoreOps['setAccessRequestStatus']> {
    return this.#auto((o) => o.setAccessRequestStatus(...a));
  }
  setAccessRequestReview(
    ...a: Parameters<JitStoreOps['setAccessRequestReview']>
  ): ReturnType<JitStoreOps['setAccessRequestReview']> {
    return this.#auto((o) => o.setAccessRequestReview(...a));
  }
  addApproval(...a: Parameters<JitStoreOps['addApproval']>): ReturnType<JitStoreOps['addApproval']> {
    return this.#auto((o) => o.addApproval(...a));
  }
  listApprovals(...a: Parameters<JitStoreOps['listApprovals']>): ReturnType<JitStoreOps['listApprovals']> {
    return this.#auto((o) => o.listApprovals(...a));
  }
  createGrant(...a: Parameters<JitStoreOps['createGrant']>): ReturnType<JitStoreOps['createGrant']> {
    return this.#auto((o) => o.createGrant(...a));
  }
  getGrant(...a: Parameters<JitStoreOps['getGrant']>): ReturnType<JitStoreOps['getGrant']> {
    return this.#auto((o) => o.getGrant(...a));
  }
  getGrantByRequest(
    ...a: Parameters<JitStoreOps['getGrantByRequest']>
  ): ReturnType<JitStoreOps['getGrantByRequest']> {
    return this.#auto((o) => o.getGrantByRequest(...a));
  }
  listGrants(...a: Parameters<JitStoreOps['listGrants']>): ReturnType<JitStoreOps['listGrants']> {
    return this.#auto((o) => o.listGrants(...a));
  }
  listActiveGrantsExpiringBy(
    ...a: Parameters<JitStoreOps['listActiveGrantsExpiringBy']>
  ): ReturnType<JitStoreOps['listActiveGrantsExpiringBy']> {
    return this.#auto((o) => o.listActiveGrantsExpiringBy(...a));
  }
  listUnactivatedGrantsPast(
    ...a: Parameters<JitStoreOps['listUnactivatedGrantsPast']>
  ): ReturnType<JitStoreOps['listUnactivatedGrantsPast']> {
    return this.#auto((o) => o.listUnactivatedGrantsPast(...a));
  }
  listPendingRequestsPast(
    ...a: Parameters<JitStoreOps['listPendingRequestsPast']>
  ): ReturnType<JitStoreOps['listPendingRequestsPast']> {
    return this.#auto((o) => o.listPendingRequestsPast(...a));
  }
  activateGrant(...a: Parameters<JitStoreOps['activateGrant']>): ReturnType<JitStoreOps['activateGrant']> {
    return this.#auto((o) => o.activateGrant(...a));
  }
  endGrant(...a: Parameters<JitStoreOps['endGrant']>): ReturnType<JitStoreOps['endGrant']> {
    return this.#auto((o) => o.endGrant(...a));
  }
  recordIssuedCredential(
    ...a: Parameters<IssuedCredentialStoreOps['recordIssuedCredential']>
  ): ReturnType<IssuedCredentialStoreOps['recordIssuedCredential']> {
    return this.#auto((o) => o.recordIssuedCredential(...a));
  }
  getIssuedCredential(
    ...a: Parameters<IssuedCredentialStoreOps['getIssuedCredential']>
  ): ReturnType<IssuedCredentialStoreOps['getIssuedCredential']> {
    return this.#auto((o) => o.getIssuedCredential(...a));
  }
  revokeCredentialsOfGrant(
    ...a: Parameters<IssuedCredentialStoreOps['revokeCredentialsOfGrant']>
  ): ReturnType<IssuedCredentialStoreOps['revokeCredentialsOfGrant']> {
    return this.#auto((o) => o.revokeCredentialsOfGrant(...a));
  }
  revokeCredentialsOfUser(
    ...a: Parameters<IssuedCredentialStoreOps['revokeCredentialsOfUser']>
  ): ReturnType<IssuedCredentialStoreOps['revokeCredentialsOfUser']> {
    return this.#auto((o) => o.revokeCredentialsOfUser(...a));
  }
  listRevokedCredentials(
    ...a: Parameters<IssuedCredentialStoreOps['listRevokedCredentials']>
  ): ReturnType<IssuedCredentialStoreOps['listRevokedCredentials']> {
    return this.#auto((o) => o.listRevokedCredentials(...a));
  }
  countIssuedCredentials(
    ...a: Parameters<IssuedCredentialStoreOps['countIssuedCredentials']>
  ): ReturnType<IssuedCredentialStoreOps['countIssuedCredentials']> {
    return this.#auto((o) => o.countIssuedCredentials(...a));
  }
  // Alerts, locks, webhook deliveries, user attributes (AlertStoreOps.ts, issue 9).
  createAlert(...a: Parameters<AlertStoreOps['createAlert']>): ReturnType<AlertStoreOps['createAlert']> {
    return this.#auto((o) => o.createAlert(...a));
  }
  getAlert(...a: Parameters<AlertStoreOps['getAlert']>): ReturnType<AlertStoreOps['getAlert']> {
    return this.#auto((o) => o.getAlert(...a));
  }
  listAlerts(...a: Parameters<AlertStoreOps['listAlerts']>): ReturnType<AlertStoreOps['listAlerts']> {
    return this.#auto((o) => o.listAlerts(...a));
  }
  ackAlert(...a: Parameters<AlertStoreOps['ackAlert']>): ReturnType<AlertStoreOps['ackAlert']> {
    return this.#auto((o) => o.ackAlert(...a));
  }
  setAlertLock(...a: Parameters<AlertStoreOps['setAlertLock']>): ReturnType<AlertStoreOps['setAlertLock']> {
    return this.#auto((o) => o.setAlertLock(...a));
  }
  createLock(...a: Parameters<AlertStoreOps['createLock']>): ReturnType<AlertStoreOps['createLock']> {
    return this.#auto((o) => o.createLock(...a));
  }
  getLock(...a: Parameters<AlertStoreOps['getLock']>): ReturnType<AlertStoreOps['getLock']> {
    return this.#auto((o) => o.getLock(...a));
  }
  getActiveLock(
    ...a: Parameters<AlertStoreOps['getActiveLock']>
  ): ReturnType<AlertStoreOps['getActiveLock']> {
    return this.#auto((o) => o.getActiveLock(...a));
  }
  listLocks(...a: Parameters<AlertStoreOps['listLocks']>): ReturnType<AlertStoreOps['listLocks']> {
    return this.#auto((o) => o.listLocks(...a));
  }
  endLock(...a: Parameters<AlertStoreOps['endLock']>): ReturnType<AlertStoreOps['endLock']> {
    return this.#auto((o) => o.endLock(...a));
  }
  enqueueWebhookDelivery(
    ...a: Parameters<AlertStoreOps['enqueueWebhookDelivery']>
  ): ReturnType<AlertStoreOps['enqueueWebhookDelivery']> {
    return this.#auto((o) => o.enqueueWebhookDelivery(...a));
  }
  getWebhookDelivery(
    ...a: Parameters<AlertStoreOps['getWebhookDelivery']>
  ): ReturnType<AlertStoreOps['getWebhookDelivery']> {
    return this.#auto((o) => o.getWebhookDelivery(...a));
  }
  listDueWebhookDeliveries(
    ...a: Parameters<AlertStoreOps['listDueWebhookDeliveries']>
  ): ReturnType<AlertStoreOps['listDueWebhookDeliveries']> {
    return this.#auto((o) => o.listDueWebhookDeliveries(...a));
  }
  claimWebhookDelivery(
    ...a: Parameters<AlertStoreOps['claimWebhookDelivery']>
  ): ReturnType<AlertStoreOps['claimWebhookDelivery']> {
    return this.#auto((o) => o.claimWebhookDelivery(...a));
  }
  recordWebhookAttempt(
    ...a: Parameters<AlertStoreOps['recordWebhookAttempt']>
  ): ReturnType<AlertStoreOps['recordWebhookAttempt']> {
    return this.#auto((o) => o.recordWebhookAttempt(...a));
  }
  listWebhookDeliveries(
    ...a: Parameters<AlertStoreOps['listWebhookDeliveries']>
  ): ReturnType<AlertStoreOps['listWebhookDeliveries']> {
    return this.#auto((o) => o.listWebhookDeliveries(...a));
  }
  putUserAttribute(
    ...a: Parameters<AlertStoreOps['putUserAttribute']>
  ): ReturnType<AlertStoreOps['putUserAttribute']> {
    return this.#auto((o) => o.putUserAttribute(...a));
  }
  getUserAttributes(
    ...a: Parameters<AlertStoreOps['getUserAttributes']>
  ): ReturnType<AlertStoreOps['getUserAttributes']> {
    return this.#auto((o) => o.getUserAttributes(...a));
  }
  listUserAttribute(
    ...a: Parameters<AlertStoreOps['listUserAttribute']>
  ): ReturnType<AlertStoreOps['listUserAttribute']> {
    return this.#auto((o) => o.listUserAttribute(...a));
  }
  oidcRevokeAccount(
    ...a: Parameters<AlertStoreOps['oidcRevokeAccount']>
  ): ReturnType<AlertStoreOps['oidcRevokeAccount']> {
    return this.#tx((o) => o.oidcRevokeAccount(...a));
  }
  appendUserEvent(
    ...a: Parameters<JitStoreOps['appendUserEvent']>
  ): ReturnType<JitStoreOps['appendUserEvent']> {
    return this.#tx((o) => o.appendUserEvent(...a));
  }
  listUserEvents(...a: Parameters<JitStoreOps['listUserEvents']>): ReturnType<JitStoreOps['listUserEvents']> {
    return this.#auto((o) => o.listUserEvents(...a));
  }
  lastUserEventId(
    ...a: Parameters<JitStoreOps['lastUserEventId']>
  ): ReturnType<JitStoreOps['lastUserEventId']> {
    return this.#auto((o) => o.lastUserEventId(...a));
  }

  // Access reviews (ReviewStoreOps.ts). A campaign and its items are written in one transaction.
  createReviewCampaign(
    ...a: Parameters<ReviewStoreOps['createReviewCampaign']>
  ): ReturnType<ReviewStoreOps['createReviewCampaign']> {
    return this.#tx((o) => o.createReviewCampaign(...a));
  }
  getReviewCampaign(
    ...a: Parameters<ReviewStoreOps['getReviewCampaign']>
  ): ReturnType<ReviewStoreOps['getReviewCampaign']> {
    return this.#auto((o) => o.getReviewCampaign(...a));
  }
  listReviewCampaigns(
    ...a: Parameters<ReviewStoreOps['listReviewCampaigns']>
  ): ReturnType<ReviewStoreOps['listReviewCampaigns']> {
    return this.#auto((o) => o.listReviewCampaigns(...a));
  }
  listReviewItems(
    ...a: Parameters<ReviewStoreOps['listReviewItems']>
  ): ReturnType<ReviewStoreOps['listReviewItems']> {
    return this.#auto((o) => o.listReviewItems(...a));
  }
  decideReviewItem(
    ...a: Parameters<ReviewStoreOps['decideReviewItem']>
  ): ReturnType<ReviewStoreOps['decideReviewItem']> {
    return this.#auto((o) => o.decideReviewItem(...a));
  }
  closeReviewCampaign(
    ...a: Parameters<ReviewStoreOps['closeReviewCampaign']>
  ): ReturnType<ReviewStoreOps['closeReviewCampaign']> {
    return this.#auto((o) => o.closeReviewCampaign(...a));
  }
}
