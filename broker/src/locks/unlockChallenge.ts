import { createHash } from 'node:crypto';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { LockRecord } from '../store/alertRecords.js';
import type { StoreOps } from '../store/Store.js';
import {
  issueBoundChallenge,
  takeBoundChallenge,
  type BoundChallengeSpec,
} from '../webauthn/boundChallenge.js';
import type { RelyingParty } from '../webauthn/relyingParty.js';

/*
 * Unlocking needs a fresh key touch bound to that very unlock, like an approval
 * (jit/approvalChallenge.ts): the challenge commits to SHA-256(domain || lockId || adminId)
 * (webauthn/boundChallenge.ts), single use per (lock, admin). A touch made to sign in or to approve
 * a request cannot unlock anybody, and one touch unlocks one lock once.
 */

const DOMAIN = 'strongroom-unlock-v1';
export const UNLOCK_CHALLENGE_TTL_SECONDS = 300;

const specOf = (lockId: string, adminId: string): BoundChallengeSpec => ({
  model: 'UnlockChallenge',
  key: `${lockId}:${adminId}`,
  commitment: createHash('sha256').update(`${DOMAIN}\u0000${lockId}\u0000${adminId}`).digest(),
});

export function issueUnlockChallenge(
  ops: Pick<StoreOps, 'oidcUpsert' | 'listCredentials'>,
  rp: RelyingParty,
  lock: Pick<LockRecord, 'id'>,
  adminId: string,
  now: number,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return issueBoundChallenge(ops, rp, specOf(lock.id, adminId), adminId, now, UNLOCK_CHALLENGE_TTL_SECONDS);
}

/** Takes (deletes) the admin's unlock challenge for this lock; undefined when missing, expired or not bound to it. */
export function takeUnlockChallenge(
  ops: Pick<StoreOps, 'oidcFind' | 'oidcDestroy'>,
  lockId: string,
  adminId: string,
  now: number,
): Promise<string | undefined> {
  return takeBoundChallenge(ops, specOf(lockId, adminId), now);
}
