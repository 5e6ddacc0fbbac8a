import { randomUUID } from 'node:crypto';
import type { AuditEventInput } from '../audit/AuditEvent.js';
import type { CredentialRecord, EnrollmentRecord, OidcPayloadRecord, UserRecord } from './records.js';

/** `make*(overrides)` fixture factories for store and audit tests (CONVENTIONS.md, Tests). */
export const T0 = 1_750_000_000_000;

export function makeUser(overrides: Partial<UserRecord> = {}): UserRecord {
  const id = overrides.id ?? randomUUID();
  return {
    id,
    email: `${id}@example.test`,
    displayName: 'Ada Lovelace',
    status: 'active',
    createdAt: T0,
    ...overrides,
  };
}

export function makeCredential(userId: string, overrides: Partial<CredentialRecord> = {}): CredentialRecord {
  return {
    id: randomUUID().replaceAll('-', ''),
    userId,
    publicKey: new Uint8Array([0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x00, 0xff]),
    counter: 0,
    transports: ['usb'],
    aaguid: '00000000-0000-0000-0000-000000000000',
    backedUp: false,
    createdAt: T0,
    lastUsedAt: null,
    ...overrides,
  };
}

export function makeEnrollment(overrides: Partial<EnrollmentRecord> = {}): EnrollmentRecord {
  return {
    tokenHash: randomUUID(),
    email: 'new@example.test',
    roles: ['developer'],
    kind: 'invite',
    createdBy: null,
    createdAt: T0,
    expiresAt: T0 + 15 * 60_000,
    usedAt: null,
    ...overrides,
  };
}

export function makeOidcRecord(overrides: Partial<OidcPayloadRecord> = {}): OidcPayloadRecord {
  return {
    model: 'AuthorizationCode',
    id: randomUUID(),
    payload: { kind: 'AuthorizationCode', accountId: 'u1', scope: 'openid' },
    expiresAt: T0 + 60_000,
    grantId: null,
    userCode: null,
    uid: null,
    consumedAt: null,
    ...overrides,
  };
}

export function makeAuditEvent(overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    classUid: 3002,
    activityId: 1,
    activity: 'login',
    statusId: 1,
    actor: { kind: 'user', userId: 'u1', email: 'ada@example.test' },
    time: T0,
    data: { credentialId: 'abc', amr: ['hwk', 'user'] },
    ...overrides,
  };
}
