/** Row shapes of detectors, alerts, locks and alert delivery (issue 9); times are ms since the epoch. */

/** What a detector does when it fires (the bundle's detectors.json says which, per detector). */
export type DetectorAction = 'alert' | 'lock-principal' | 'lock-device';
export type AlertSeverity = 'low' | 'medium' | 'high' | 'critical';
/** `open` until an admin acknowledges it. */
export type AlertStatus = 'open' | 'acknowledged';

export interface AlertRecord {
  id: string;
  /** The detector's id in detectors.json, e.g. `issuance-volume`. */
  detector: string;
  severity: AlertSeverity;
  action: DetectorAction;
  /** The principal it is about (null when the record named nobody). */
  userId: string | null;
  deviceId: string | null;
  /** One line for people (dashboard, Slack). */
  summary: string;
  /** Detector facts (counts, thresholds, the record's activity); never secrets. */
  data: Record<string, unknown>;
  /** The audit record that made the detector fire. */
  auditSeq: number;
  /** One alert per key: several broker instances tailing the same log raise it once. */
  dedupeKey: string;
  createdAt: number;
  status: AlertStatus;
  ackedBy: string | null;
  ackedAt: number | null;
  ackNote: string | null;
  /** The lock the alert's action made, if any. */
  lockId: string | null;
}

/** `user`: the person (every device); `device`: one device of a person. */
export type LockKind = 'user' | 'device';

export interface LockRecord {
  id: string;
  kind: LockKind;
  /** The locked person, or the locked device's owner. */
  userId: string;
  deviceId: string | null;
  reason: string;
  /** The alert whose detector locked automatically; null for an admin's lock. */
  alertId: string | null;
  /** The admin who locked; null when a detector did (an automatic lock). */
  lockedBy: string | null;
  lockedAt: number;
  unlockedBy: string | null;
  unlockedAt: number | null;
  unlockReason: string | null;
}

/** `pending` while attempts remain, `delivered`, or `dead` (a dead letter, shown to admins). */
export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'dead';

export interface WebhookDeliveryRecord {
  id: string;
  /** The receiver; a Slack-style URL carries its secret in the path, so views show only the origin. */
  url: string;
  event: string;
  /** The exact JSON body; each attempt signs it afresh with its own timestamp. */
  body: string;
  alertId: string | null;
  status: WebhookDeliveryStatus;
  attempts: number;
  /** When the next attempt is due (a claimed delivery's lease end while an attempt runs). */
  nextAttemptAt: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}
