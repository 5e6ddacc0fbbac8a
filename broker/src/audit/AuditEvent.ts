/**
 * What a caller hands the audit log. The log adds `seq`, `prevHash` and `hash` (see AuditRecord).
 * Fields follow OCSF (https://schema.ocsf.io): `classUid` is the OCSF class, `activityId` the
 * activity within it, `statusId` 1 = success, 2 = failure.
 */
export type OcsfClassUid =
  | 2004 // Detection Finding (alerts raised by the detectors)
  | 3001 // Account Change
  | 3002 // Authentication
  | 3003 // Authorize Session
  | 5001 // Device Inventory Info
  | 5003 // Device Config State (compliance)
  | 6003; // API Activity

export interface AuditActor {
  userId?: string;
  email?: string;
  deviceId?: string;
  /** 'broker' for the broker's own actions (expiry sweeps, detectors). */
  kind: 'user' | 'admin' | 'broker' | 'anonymous';
}

export interface AuditEventInput {
  classUid: OcsfClassUid;
  activityId: number;
  /** Short machine name of what happened, e.g. 'login', 'enroll', 'token.refresh'. */
  activity: string;
  statusId: 1 | 2;
  actor: AuditActor;
  /** Milliseconds since the epoch, from the broker's clock. */
  time: number;
  /** 1 informational … 5 critical (OCSF severity_id). */
  severityId?: number;
  srcIp?: string;
  /** Event-specific fields; never secrets (tokens, codes, keys). */
  data?: Record<string, unknown>;
}

export interface AuditRecord extends AuditEventInput {
  seq: number;
  /** Hex SHA-256 of the previous record ('0'*64 for the first). */
  prevHash: string;
  /** Hex SHA-256 over the canonical encoding of this record (without `hash`) including `prevHash`. */
  hash: string;
}

export interface AuditCheckpoint {
  /** The last record this checkpoint covers. */
  seq: number;
  hash: string;
  time: number;
  /** Ed25519 key id (JWK thumbprint) and base64url signature over the canonical {seq, hash, time}. */
  keyId: string;
  signature: string;
}
