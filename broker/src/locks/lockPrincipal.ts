import { randomUUID } from 'node:crypto';
import type { AuditActor } from '../audit/AuditEvent.js';
import { accountChangeEvent } from '../audit/ocsf.js';
import { BrokerError } from '../errors/BrokerError.js';
import { authorizeSessionEvent } from '../jit/authorizeSessionEvent.js';
import { endGrantInTx } from '../jit/endGrantInTx.js';
import type { LockKind, LockRecord } from '../store/alertRecords.js';
import type { StoreOps } from '../store/Store.js';
import { activeAdmins } from './activeAdmins.js';

export interface LockInput {
  kind: LockKind;
  userId: string;
  /** Required for a device lock: one of the person's devices. */
  deviceId?: string;
  reason: string;
  /** The alert whose detector locks (an automatic lock); absent for an admin's lock. */
  alertId?: string;
  /** The admin who locks; absent when a detector does. */
  admin?: { userId: string; email: string };
  srcIp?: string;
}

export interface LockOutcome {
  lock: LockRecord;
  /** False when a lock of this subject was already in force (nothing changed). */
  created: boolean;
  grantsEnded: string[];
  sessionsEnded: number;
  credentialsRevoked: number;
}

/**
 * Locks a person (kind `user`: every device) or one device, inside the caller's transaction, so
 * that everything below commits together with its audit records or not at all:
 * - the user (or device) status becomes `locked`: sign-in (findAccount, the WebAuthn login) and
 *   every `/api/v1` call (authenticateApiRequest) refuse it from this commit on;
 * - every oidc-provider session, grant, access and refresh token of the person (of the device's
 *   key for a device lock) is deleted: refresh fails, access tokens are unknown;
 * - every JIT grant not yet ended ends (reason `locked`), revoking what was issued under it
 *   (endGrantInTx), and for a person every other credential issued to them is revoked too;
 * - `session.revoked` goes on the person's event stream (clients wipe their keychain entries) and
 *   `principal.locked` on every admin's.
 * The caller calls `eventsCommitted()` after the commit. A device lock ends the person's grants
 * too: a grant is held by a person, and one of their machines is no longer trusted.
 */
export async function lockInTx(tx: StoreOps, input: LockInput, now: number): Promise<LockOutcome> {
  const user = await tx.getUser(input.userId);
  if (!user) throw new BrokerError('not_found', 'no such user');
  const device = input.kind === 'device' ? await tx.getDevice(input.deviceId ?? '') : undefined;
  if (input.kind === 'device' && (!device || device.userId !== user.id))
    throw new BrokerError('not_found', 'no such device of this user');
  const lock: LockRecord = {
    id: randomUUID(),
    kind: input.kind,
    userId: user.id,
    deviceId: device?.id ?? null,
    reason: input.reason,
    alertId: input.alertId ?? null,
    lockedBy: input.admin?.userId ?? null,
    lockedAt: now,
    unlockedBy: null,
    unlockedAt: null,
    unlockReason: null,
  };
  if (!(await tx.createLock(lock))) {
    const existing = await tx.getActiveLock(input.kind, device?.id ?? user.id);
    if (!existing) throw new BrokerError('conflict', 'the lock changed meanwhile; try again');
    return { lock: existing, created: false, grantsEnded: [], sessionsEnded: 0, credentialsRevoked: 0 };
  }
  if (device) await tx.setDeviceStatus(device.id, 'locked');
  else await tx.setUserStatus(user.id, 'locked');
  const sessions = await tx.oidcRevokeAccount(user.id, device?.thumbprint);

  const actor: AuditActor = input.admin
    ? { kind: 'admin', userId: input.admin.userId, email: input.admin.email }
    : { kind: 'broker' };
  const src = input.srcIp === undefined ? {} : { srcIp: input.srcIp };
  // First, so the lock's own record lists every credential it revoked (a device lock revokes those
  // of the grants it ends, through endGrantInTx).
  const credentials = device ? [] : await tx.revokeCredentialsOfUser(user.id, now, 'locked');
  const grantsEnded: string[] = [];
  for (const grant of await tx.listGrants(user.id, ['approved', 'active'])) {
    if (!(await endGrantInTx(tx, grant, now, 'locked', { actor, time: now, ...src }))) continue;
    grantsEnded.push(grant.id);
    await tx.appendAudit(
      authorizeSessionEvent('other', {
        name: 'jit.grant.end',
        outcome: 'success',
        actor,
        time: now,
        ...src,
        severityId: 3,
        data: {
          grantId: grant.id,
          requestId: grant.requestId,
          holder: user.id,
          target: grant.target,
          reason: 'locked',
          lockId: lock.id,
          endedAt: now,
        },
      }),
    );
    await tx.appendUserEvent({
      userId: user.id,
      type: 'grant.ended',
      data: { grantId: grant.id, target: grant.target, reason: 'locked', endedAt: now },
      createdAt: now,
      dedupeKey: `grant:${grant.id}:ended`,
    });
  }

  const facts = {
    lockId: lock.id,
    kind: lock.kind,
    userId: user.id,
    email: user.email,
    deviceId: lock.deviceId,
    reason: lock.reason,
    alertId: lock.alertId,
    automatic: lock.lockedBy === null,
  };
  await tx.appendAudit(
    accountChangeEvent('lock', {
      name: device ? 'device.lock' : 'user.lock',
      outcome: 'success',
      actor,
      time: now,
      ...src,
      severity: 'high',
      data: {
        ...facts,
        grantsEnded,
        sessionsEnded: sessions.length,
        credentialsRevoked: credentials.map((c) => ({ id: c.id, kind: c.kind })),
      },
    }),
  );
  await tx.appendUserEvent({
    userId: user.id,
    type: 'session.revoked',
    data: {
      reason: device
        ? `this device was locked by ${lock.lockedBy === null ? 'Strongroom (automatic)' : 'an admin'}: ${lock.reason}`
        : `your account was locked by ${lock.lockedBy === null ? 'Strongroom (automatic)' : 'an admin'}: ${lock.reason}`,
      lockId: lock.id,
      scope: lock.kind,
      deviceId: lock.deviceId,
      // Clients compare it with their own device key (RFC 7638 thumbprint) for a device lock.
      thumbprint: device?.thumbprint ?? null,
    },
    createdAt: now,
  });
  for (const admin of await activeAdmins(tx)) {
    await tx.appendUserEvent({
      userId: admin.id,
      type: 'principal.locked',
      data: { ...facts, lockedBy: lock.lockedBy },
      createdAt: now,
    });
  }
  return {
    lock,
    created: true,
    grantsEnded,
    sessionsEnded: sessions.length,
    credentialsRevoked: credentials.length,
  };
}
