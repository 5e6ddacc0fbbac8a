import { verifyAuthenticationResponse, type AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { CredentialRecord, UserRecord } from '../store/records.js';
import type { StoreOps } from '../store/Store.js';
import type { RelyingParty } from './relyingParty.js';

/** Why a login failed, for the audit log; the person only sees a generic message. */
export type LoginFailureReason =
  'unknown_credential' | 'user_inactive' | 'user_locked' | 'assertion_invalid' | 'counter_regression';

export type LoginVerification =
  | { ok: true; user: UserRecord; credential: CredentialRecord; newCounter: number }
  | { ok: false; reason: LoginFailureReason; credentialId?: string; userId?: string; cause?: unknown };

/**
 * Verifies a WebAuthn assertion (WebAuthn L3 §7.2): the credential must be registered, its user
 * active (checked last: `user_locked` only for a valid assertion), the challenge ours, the origin and RP ID ours, user verification done, the signature
 * valid, and the signature counter must move forward (§6.1.1: a counter that does not increase,
 * when either value is non-zero, signals a cloned authenticator).
 */
export async function verifyLoginAssertion(
  ops: Pick<StoreOps, 'getCredential' | 'getUser'>,
  rp: RelyingParty,
  expectedChallenge: string,
  response: AuthenticationResponseJSON,
): Promise<LoginVerification> {
  const credential = await ops.getCredential(response.id);
  if (!credential) return { ok: false, reason: 'unknown_credential' };
  const ids = { credentialId: credential.id, userId: credential.userId };
  const user = await ops.getUser(credential.userId);
  if (!user) return { ok: false, reason: 'user_inactive', ...ids };

  let verified;
  try {
    verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      // The stored counter is checked below, after the signature, so that a forged low counter with
      // a bad signature is reported as an invalid assertion and not as a cloned key.
      credential: { id: credential.id, publicKey: new Uint8Array(credential.publicKey), counter: 0 },
      requireUserVerification: true,
    });
  } catch (cause) {
    return { ok: false, reason: 'assertion_invalid', ...ids, cause };
  }
  if (!verified.verified || !verified.authenticationInfo.userVerified) {
    return { ok: false, reason: 'assertion_invalid', ...ids };
  }
  const newCounter = verified.authenticationInfo.newCounter;
  if ((newCounter > 0 || credential.counter > 0) && newCounter <= credential.counter) {
    return { ok: false, reason: 'counter_regression', ...ids };
  }
  // Checked after the signature, so only the key's holder learns that the account is locked
  // (they get a clear message; anyone else only a failed assertion).
  if (user.status === 'locked') return { ok: false, reason: 'user_locked', ...ids };
  if (user.status !== 'active') return { ok: false, reason: 'user_inactive', ...ids };
  return { ok: true, user, credential, newCounter };
}
