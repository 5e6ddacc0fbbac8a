import type {
  AlertRecord,
  AlertStatus,
  LockKind,
  LockRecord,
  WebhookDeliveryRecord,
  WebhookDeliveryStatus,
} from './alertRecords.js';

/**
 * Alerts, locks, persisted webhook deliveries, per-user attributes and session revocation by
 * account (issue 9). Part of `StoreOps`, so every change shares a transaction with its audit record.
 */
export interface AlertStoreOps {
  /** False (and nothing stored) when an alert with the same `dedupeKey` exists. */
  createAlert(alert: AlertRecord): Promise<boolean>;
  getAlert(id: string): Promise<AlertRecord | undefined>;
  /** Newest first. */
  listAlerts(filter: { status?: AlertStatus; userId?: string; limit: number }): Promise<AlertRecord[]>;
  /** open → acknowledged; false when it was not open. */
  ackAlert(id: string, by: string, at: number, note: string | null): Promise<boolean>;
  setAlertLock(alertId: string, lockId: string): Promise<void>;

  /**
   * False (and nothing stored) when the same user (kind `user`) or device (kind `device`) already
   * has a lock in force: at most one active lock per subject is a database fact.
   */
  createLock(lock: LockRecord): Promise<boolean>;
  /** In a transaction, locks the row until it ends (two unlocks cannot both win). */
  getLock(id: string): Promise<LockRecord | undefined>;
  /** The lock in force on a user (`kind` user, subject = user id) or a device (subject = device id). */
  getActiveLock(kind: LockKind, subjectId: string): Promise<LockRecord | undefined>;
  /** Newest first; `active` true: only locks in force, false: only ended ones. */
  listLocks(filter: { active?: boolean; userId?: string; limit: number }): Promise<LockRecord[]>;
  /** Ends a lock in force; false when it was already ended. */
  endLock(id: string, by: string, at: number, reason: string): Promise<boolean>;

  enqueueWebhookDelivery(delivery: WebhookDeliveryRecord): Promise<void>;
  getWebhookDelivery(id: string): Promise<WebhookDeliveryRecord | undefined>;
  /** Pending deliveries due at `now`, oldest due first. */
  listDueWebhookDeliveries(now: number, limit: number): Promise<WebhookDeliveryRecord[]>;
  /**
   * Takes a due delivery for one attempt: pushes `nextAttemptAt` to `leaseUntil` if it is still
   * pending, due at `now` and at `attempts`; false when another instance took it first.
   */
  claimWebhookDelivery(id: string, attempts: number, now: number, leaseUntil: number): Promise<boolean>;
  /** Records an attempt's outcome (status, attempts, next due time, last answer). */
  recordWebhookAttempt(
    id: string,
    outcome: {
      status: WebhookDeliveryStatus;
      attempts: number;
      nextAttemptAt: number;
      lastStatus: number | null;
      lastError: string | null;
      at: number;
    },
  ): Promise<void>;
  /** Newest first. */
  listWebhookDeliveries(filter: {
    status?: WebhookDeliveryStatus;
    limit: number;
  }): Promise<WebhookDeliveryRecord[]>;

  /** Per-user attributes (e.g. `workingHours`); `null` removes one. */
  putUserAttribute(userId: string, name: string, value: unknown): Promise<void>;
  getUserAttributes(userId: string): Promise<Record<string, unknown>>;
  /** Every user's value of one attribute. */
  listUserAttribute(name: string): Promise<Array<{ userId: string; value: unknown }>>;

  /**
   * Ends every oidc-provider session of an account: its Session, Grant, AccessToken, RefreshToken
   * and AuthorizationCode records, and everything issued under its grants. With `jkt`, only the
   * grants that have a token bound to that device key (DPoP `cnf.jkt`). Returns the grant ids.
   */
  oidcRevokeAccount(accountId: string, jkt?: string): Promise<string[]>;
}
