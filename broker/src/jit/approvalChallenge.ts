import { createHash } from 'node:crypto';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { AccessRequestRecord } from '../store/jitRecords.js';
import type { StoreOps } from '../store/Store.js';
import {
  issueBoundChallenge,
  takeBoundChallenge,
  type BoundChallengeSpec,
} from '../webauthn/boundChallenge.js';
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

const DOMAIN = 'strongroom-approval-v1';

export function approvalCommitment(request: Pick<AccessRequestRecord, 'id' | 'contentHash'>): Buffer {
  return createHash('sha256').update(`${DOMAIN}\u0000${request.id}\u0000${request.contentHash}`).digest();
}

const specOf = (request: AccessRequestRecord, approverId: string): BoundChallengeSpec => ({
  model: 'ApprovalChallenge',
  key: `${request.id}:${approverId}`,
  commitment: approvalCommitment(request),
});

export function issueApprovalChallenge(
  ops: Pick<StoreOps, 'oidcUpsert' | 'listCredentials'>,
  rp: RelyingParty,
  request: AccessRequestRecord,
  approverId: string,
  now: number,
  ttlSeconds: number,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return issueBoundChallenge(ops, rp, specOf(request, approverId), approverId, now, ttlSeconds);
}

/**
 * Takes (deletes) the approver's challenge for this request and checks it commits to the request's
 * current content. Undefined when there is none, it expired, was used, or does not commit to it.
 */
export function takeApprovalChallenge(
  ops: Pick<StoreOps, 'oidcFind' | 'oidcDestroy'>,
  request: AccessRequestRecord,
  approverId: string,
  now: number,
): Promise<string | undefined> {
  return takeBoundChallenge(ops, specOf(request, approverId), now);
}
