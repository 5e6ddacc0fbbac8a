import type { AuditCheckpoint, AuditEventInput, AuditRecord } from '../audit/AuditEvent.js';
import type {
  CredentialRecord,
  EnrollmentRecord,
  OidcPayloadRecord,
  UserRecord,
  UserStatus,
} from './records.js';

/** Row shapes as both drivers return them (BIGINT parsed to number, bytes as Buffer). */
export interface UserRow {
  id: string;
  email: string;
  display_name: string;
  status: UserStatus;
  created_at: number;
}

export interface CredentialRow {
  id: string;
  user_id: string;
  public_key: Uint8Array;
  counter: number;
  transports: string;
  aaguid: string;
  backed_up: number;
  created_at: number;
  last_used_at: number | null;
}

export interface EnrollmentRow {
  token_hash: string;
  email: string;
  roles: string;
  kind: EnrollmentRecord['kind'];
  created_by: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface OidcRow {
  model: string;
  id: string;
  payload: string;
  expires_at: number | null;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  consumed_at: number | null;
}

export interface AuditRow {
  seq: number;
  body: string;
  prev_hash: string;
  hash: string;
}

export interface CheckpointRow {
  seq: number;
  hash: string;
  time: number;
  key_id: string;
  signature: string;
}

export function toUser(r: UserRow): UserRecord {
  return { id: r.id, email: r.email, displayName: r.display_name, status: r.status, createdAt: r.created_at };
}

export function toCredential(r: CredentialRow): CredentialRecord {
  return {
    id: r.id,
    userId: r.user_id,
    publicKey: new Uint8Array(r.public_key),
    counter: r.counter,
    transports: JSON.parse(r.transports) as string[],
    aaguid: r.aaguid,
    backedUp: r.backed_up === 1,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
  };
}

export function toEnrollment(r: EnrollmentRow): EnrollmentRecord {
  return {
    tokenHash: r.token_hash,
    email: r.email,
    roles: JSON.parse(r.roles) as string[],
    kind: r.kind,
    createdBy: r.created_by,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    usedAt: r.used_at,
  };
}

export function toOidcPayload(r: OidcRow): OidcPayloadRecord {
  return {
    model: r.model,
    id: r.id,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    expiresAt: r.expires_at,
    grantId: r.grant_id,
    userCode: r.user_code,
    uid: r.uid,
    consumedAt: r.consumed_at,
  };
}

/** `body` is the canonical record without its hash (chainAuditRecords.ts); the columns are authoritative. */
export function toAuditRecord(r: AuditRow): AuditRecord {
  const event = JSON.parse(r.body) as AuditEventInput;
  return { ...event, seq: r.seq, prevHash: r.prev_hash, hash: r.hash };
}

export function toCheckpoint(r: CheckpointRow): AuditCheckpoint {
  return { seq: r.seq, hash: r.hash, time: r.time, keyId: r.key_id, signature: r.signature };
}
