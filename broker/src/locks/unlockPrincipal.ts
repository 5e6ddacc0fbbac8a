import type { Unlock } from '@strongroom/shared/protocol/adminApi.js';
import { auditRefusal } from '../api/auditRefusal.js';
import { accountChangeEvent } from '../audit/ocsf.js';
import { BrokerError } from '../errors/BrokerError.js';
import type { LockRecord } from '../store/alertRecords.js';
import type { Store } from '../store/Store.js';
import { assertionOf } from '../webauthn/assertionOf.js';
import type { RelyingParty } from '../webauthn/relyingParty.js';
import { verifyLoginAssertion } from '../webauthn/verifyLoginAssertion.js';
import { activeAdmins } from './activeAdmins.js';
import type { AdminCaller } from './AdminCaller.js';
import { takeUnlockChallenge } from './unlockChallenge.js';

export interface UnlockDeps {
  store: Store;
  rp: RelyingParty;
  now: () => number;
  eventsCommitted: () => void;
}

type Outcome =
  | { ok: true; lock: LockRecord }
  | { ok: false; error: BrokerError; reason: string; severity?: 'medium' | 'high' | 'critical' };

const refused = (
  code: ConstructorParameters<typeof BrokerError>[0],
  message: string,
  reason: string,
  severity?: 'medium' | 'high' | 'critical',
): Outcome => ({
  ok: false,
  error: new BrokerError(code, message),
  reason,
  ...(severity ? { severity } : {}),
});

/**
 * `POST /api/v1/admin/locks/{id}/unlock` (the route checks the admin role). In one transaction: the
 * admin's unlock challenge for this lock is used up first (whatever follows, it never works twice);
 * the locked person can never unlock themselves; the admin who locked cannot unlock their own lock
 * (an automatic lock may be unlocked by any other admin); the lock must be in force; the assertion
 * must verify against the admin's own key with UV and a rising counter over the challenge bound to
 * this lock (unlockChallenge.ts); the reason is required. Then the lock ends, the person or device
 * is active again, and admins see `principal.unlocked`. Sessions stay ended: the person signs in
 * again. Refusals are audited (OCSF Account Change 3001, failure).
 */
export async function unlockPrincipal(
  deps: UnlockDeps,
  caller: AdminCaller,
  lockId: string,
  body: Unlock,
): Promise<LockRecord> {
  const { store } = deps;
  const now = deps.now();
  const actor = { kind: 'admin' as const, userId: caller.user.id, email: caller.user.email };
  const outcome = await store.transaction(async (tx): Promise<Outcome> => {
    const lock = await tx.getLock(lockId);
    if (!lock) return refused('not_found', 'no such lock', 'unknown_lock');
    const challenge = await takeUnlockChallenge(tx, lock.id, caller.user.id, now);
    if (lock.userId === caller.user.id)
      return refused('forbidden', 'nobody unlocks their own account or device', 'self_unlock', 'critical');
    if (lock.lockedBy === caller.user.id)
      return refused(
        'forbidden',
        'unlocking needs a different admin than the one who locked',
        'same_admin_as_locker',
        'high',
      );
    if (lock.unlockedAt !== null) return refused('conflict', 'the lock has already ended', 'lock_ended');
    if (challenge === undefined)
      return refused(
        'webauthn_failed',
        'no valid unlock challenge for this lock (it expired, was used, or is for another lock): ask for a new one',
        'no_challenge',
      );
    const verified = await verifyLoginAssertion(tx, deps.rp, challenge, assertionOf(body));
    if (!verified.ok)
      return refused(
        'webauthn_failed',
        'the security key assertion was not accepted',
        verified.reason,
        verified.reason === 'counter_regression' ? 'critical' : 'medium',
      );
    if (verified.credential.userId !== caller.user.id)
      return refused('webauthn_failed', 'the security key is not yours', 'credential_of_other_user', 'high');
    await tx.updateCredentialUse(verified.credential.id, verified.newCounter, now);
    if (!(await tx.endLock(lock.id, caller.user.id, now, body.reason)))
      return refused('conflict', 'the lock has already ended', 'lock_ended');
    if (lock.kind === 'device' && lock.deviceId !== null) {
      const device = await tx.getDevice(lock.deviceId);
      if (device?.status === 'locked') await tx.setDeviceStatus(device.id, 'active');
    } else {
      const user = await tx.getUser(lock.userId);
      if (user?.status === 'locked') await tx.setUserStatus(user.id, 'active');
    }
    const facts = {
      lockId: lock.id,
      kind: lock.kind,
      userId: lock.userId,
      deviceId: lock.deviceId,
      lockedBy: lock.lockedBy,
      lockReason: lock.reason,
      reason: body.reason,
      credentialId: verified.credential.id,
    };
    await tx.appendAudit(
      accountChangeEvent('unlock', {
        name: lock.kind === 'device' ? 'device.unlock' : 'user.unlock',
        outcome: 'success',
        actor,
        time: now,
        srcIp: caller.srcIp,
        severity: 'medium',
        data: facts,
      }),
    );
    for (const admin of await activeAdmins(tx))
      await tx.appendUserEvent({
        userId: admin.id,
        type: 'principal.unlocked',
        data: { ...facts, unlockedBy: caller.user.id },
        createdAt: now,
      });
    return {
      ok: true,
      lock: { ...lock, unlockedBy: caller.user.id, unlockedAt: now, unlockReason: body.reason },
    };
  });
  if (!outcome.ok)
    return auditRefusal(
      store,
      accountChangeEvent('unlock', {
        name: 'lock.unlock',
        outcome: 'failure',
        actor,
        time: now,
        srcIp: caller.srcIp,
        ...(outcome.severity ? { severity: outcome.severity } : {}),
        data: { lockId, reason: outcome.reason },
      }),
      outcome.error,
    );
  deps.eventsCommitted();
  return outcome.lock;
}
