import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  generateAuthenticationOptions,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import type { LockRecord } from '../store/alertRecords.js';
import type { StoreOps } from '../store/Store.js';
import type { RelyingParty } from '../webauthn/relyingParty.js';

/*
 * Unlocking needs a fresh key touch bound to that very unlock, like an approval
 * (jit/approvalChallenge.ts): the WebAuthn challenge is nonce(16) || SHA-256(domain || lockId ||
 * adminId), stored single use per (lock, admin). A touch made to sign in or to approve a request
 * cannot unlock anybody, and one touch unlocks one lock once.
 */

const MODEL = 'UnlockChallenge';
const DOMAIN = 'strongroom-unlock-v1';
export const UNLOCK_CHALLENGE_TTL_SECONDS = 300;

function commitment(lockId: string, adminId: string): Buffer {
  return createHash('sha256').update(`${DOMAIN}\u0000${lockId}\u0000${adminId}`).digest();
}

const keyOf = (lockId: string, adminId: string): string => `${lockId}:${adminId}`;

export async function issueUnlockChallenge(
  ops: Pick<StoreOps, 'oidcUpsert' | 'listCredentials'>,
  rp: RelyingParty,
  lock: Pick<LockRecord, 'id'>,
  adminId: string,
  now: number,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const challenge = Buffer.concat([randomBytes(16), commitment(lock.id, adminId)]);
  const credentials = await ops.listCredentials(adminId);
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    challenge: new Uint8Array(challenge),
    userVerification: 'required',
    allowCredentials: credentials.map((c) => ({ id: c.id })),
    timeout: UNLOCK_CHALLENGE_TTL_SECONDS * 1000,
  });
  await ops.oidcUpsert({
    model: MODEL,
    id: keyOf(lock.id, adminId),
    payload: { challenge: options.challenge },
    expiresAt: now + UNLOCK_CHALLENGE_TTL_SECONDS * 1000,
    grantId: null,
    userCode: null,
    uid: null,
    consumedAt: null,
  });
  return options;
}

/** Takes (deletes) the admin's unlock challenge for this lock; undefined when missing, expired or not bound to it. */
export async function takeUnlockChallenge(
  ops: Pick<StoreOps, 'oidcFind' | 'oidcDestroy'>,
  lockId: string,
  adminId: string,
  now: number,
): Promise<string | undefined> {
  const found = await ops.oidcFind(MODEL, keyOf(lockId, adminId));
  if (!found) return undefined;
  await ops.oidcDestroy(MODEL, found.id);
  const challenge = found.payload['challenge'];
  if (typeof challenge !== 'string' || (found.expiresAt !== null && found.expiresAt <= now)) return undefined;
  const bytes = Buffer.from(challenge, 'base64url');
  const expected = commitment(lockId, adminId);
  if (bytes.length !== 16 + expected.length || !timingSafeEqual(bytes.subarray(16), expected))
    return undefined;
  return challenge;
}
