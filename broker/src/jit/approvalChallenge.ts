import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  generateAuthenticationOptions,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import type { AccessRequestRecord } from '../store/jitRecords.js';
import type { StoreOps } from '../store/Store.js';
import type { RelyingParty } from '../webauthn/relyingParty.js';

/*
 * Why an assertion bound to the request, and not RFC 9470 step-up with max_age: step-up proves only
 * that the approver touched their key recently, for any purpose; a touch made to sign in, or to
 * approve request A, would then also approve request B within max_age, and a stolen session could
 * approve anything in that window. Here the WebAuthn challenge the key signs (clientDataJSON,
 * WebAuthn L3 §5.8.1) is `nonce(16) || SHA-256(domain || requestId || contentHash)`, stored single
 * use per (request, approver): one touch approves exactly one request with exactly the content the
 * approver was shown, once. The broker verifies it against the approver's registered credential
 * with UV, origin, RP ID and the signature counter (verifyLoginAssertion).
 */

const MODEL = 'ApprovalChallenge';
const DOMAIN = 'strongroom-approval-v1';

export function approvalCommitment(request: Pick<AccessRequestRecord, 'id' | 'contentHash'>): Buffer {
  return createHash('sha256').update(`${DOMAIN}\u0000${request.id}\u0000${request.contentHash}`).digest();
}

const keyOf = (requestId: string, approverId: string): string => `${requestId}:${approverId}`;

export async function issueApprovalChallenge(
  ops: Pick<StoreOps, 'oidcUpsert' | 'listCredentials'>,
  rp: RelyingParty,
  request: AccessRequestRecord,
  approverId: string,
  now: number,
  ttlSeconds: number,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const challenge = Buffer.concat([randomBytes(16), approvalCommitment(request)]);
  const credentials = await ops.listCredentials(approverId);
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    challenge: new Uint8Array(challenge),
    userVerification: 'required',
    // Only the approver's own keys: the browser offers nothing else.
    allowCredentials: credentials.map((c) => ({
      id: c.id,
      transports: c.transports as NonNullable<
        Parameters<typeof generateAuthenticationOptions>[0]['allowCredentials']
      >[number]['transports'],
    })),
    timeout: ttlSeconds * 1000,
  });
  await ops.oidcUpsert({
    model: MODEL,
    id: keyOf(request.id, approverId),
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
 * Takes (deletes) the approver's challenge for this request and checks it commits to the request's
 * current content. Undefined when there is none, it expired, was used, or does not commit to it.
 */
export async function takeApprovalChallenge(
  ops: Pick<StoreOps, 'oidcFind' | 'oidcDestroy'>,
  request: AccessRequestRecord,
  approverId: string,
  now: number,
): Promise<string | undefined> {
  const found = await ops.oidcFind(MODEL, keyOf(request.id, approverId));
  if (!found) return undefined;
  await ops.oidcDestroy(MODEL, found.id);
  const challenge = found.payload['challenge'];
  if (typeof challenge !== 'string' || (found.expiresAt !== null && found.expiresAt <= now)) return undefined;
  const bytes = Buffer.from(challenge, 'base64url');
  const expected = approvalCommitment(request);
  if (bytes.length !== 16 + expected.length || !timingSafeEqual(bytes.subarray(16), expected))
    return undefined;
  return challenge;
}
