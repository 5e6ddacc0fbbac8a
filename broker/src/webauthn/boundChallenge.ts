import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  generateAuthenticationOptions,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import type { StoreOps } from '../store/Store.js';
import type { RelyingParty } from './relyingParty.js';

/**
 * A WebAuthn challenge bound to one act (an approval, an unlock): `nonce(16) || commitment`, where
 * the commitment is a SHA-256 over what the act is about, so the key's signature (over
 * clientDataJSON, WebAuthn L3 §5.8.1) commits to it. Stored single use under (`model`, `key`) with
 * an expiry; only the acting user's own keys are offered.
 */
export interface BoundChallengeSpec {
  /** The oidc_payloads model the challenges are kept under (e.g. `ApprovalChallenge`). */
  model: string;
  /** One challenge per key (e.g. `<requestId>:<approverId>`): a new one replaces the old. */
  key: string;
  commitment: Buffer;
}

export async function issueBoundChallenge(
  ops: Pick<StoreOps, 'oidcUpsert' | 'listCredentials'>,
  rp: RelyingParty,
  spec: BoundChallengeSpec,
  userId: string,
  now: number,
  ttlSeconds: number,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const challenge = Buffer.concat([randomBytes(16), spec.commitment]);
  const credentials = await ops.listCredentials(userId);
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    challenge: new Uint8Array(challenge),
    userVerification: 'required',
    // Only the user's own keys: the browser offers nothing else.
    allowCredentials: credentials.map((c) => ({
      id: c.id,
      transports: c.transports as NonNullable<
        Parameters<typeof generateAuthenticationOptions>[0]['allowCredentials']
      >[number]['transports'],
    })),
    timeout: ttlSeconds * 1000,
  });
  await ops.oidcUpsert({
    model: spec.model,
    id: spec.key,
    payload: { challenge: options.challenge },
    expiresAt: now + ttlSeconds * 1000,
    grantId: null,
    userCode: null,
    uid: null,
    consumedAt: null,
  });
  return options;
}

/**
 * Takes (deletes) the challenge and checks it commits to `spec.commitment`. Undefined when there is
 * none, it expired, was used, or commits to something else.
 */
export async function takeBoundChallenge(
  ops: Pick<StoreOps, 'oidcFind' | 'oidcDestroy'>,
  spec: BoundChallengeSpec,
  now: number,
): Promise<string | undefined> {
  const found = await ops.oidcFind(spec.model, spec.key);
  if (!found) return undefined;
  await ops.oidcDestroy(spec.model, found.id);
  const challenge = found.payload['challenge'];
  if (typeof challenge !== 'string' || (found.expiresAt !== null && found.expiresAt <= now)) return undefined;
  const bytes = Buffer.from(challenge, 'base64url');
  if (bytes.length !== 16 + spec.commitment.length || !timingSafeEqual(bytes.subarray(16), spec.commitment))
    return undefined;
  return challenge;
}
