import { verifyRegistrationResponse, type RegistrationResponseJSON } from '@simplewebauthn/server';
import { BrokerError } from '../errors/BrokerError.js';
import type { CredentialRecord } from '../store/records.js';
import type { RelyingParty } from './relyingParty.js';

/**
 * Verifies a registration (WebAuthn L3 §7.1) including the attestation statement, with user
 * verification required. With an AAGUID allow-list, the model must be on it and must be vouched
 * for by a real attestation statement: a `none` attestation cannot prove its AAGUID.
 */
export async function verifyEnrollmentAttestation(opts: {
  rp: RelyingParty;
  expectedChallenge: string;
  response: RegistrationResponseJSON;
  userId: string;
  aaguidAllowList: readonly string[];
  now: number;
}): Promise<CredentialRecord> {
  let verified;
  try {
    verified = await verifyRegistrationResponse({
      response: opts.response,
      expectedChallenge: opts.expectedChallenge,
      expectedOrigin: opts.rp.origin,
      expectedRPID: opts.rp.id,
      requireUserVerification: true,
    });
  } catch (cause) {
    throw new BrokerError('webauthn_failed', 'the security key registration could not be verified', {
      cause,
    });
  }
  if (!verified.verified) {
    throw new BrokerError('webauthn_failed', 'the security key registration could not be verified');
  }
  const info = verified.registrationInfo;
  if (!info.userVerified)
    throw new BrokerError('webauthn_failed', 'the security key did not verify the user');
  const aaguid = info.aaguid.toLowerCase();
  if (opts.aaguidAllowList.length > 0) {
    if (info.fmt === 'none' || !opts.aaguidAllowList.includes(aaguid)) {
      throw new BrokerError('webauthn_failed', `this security key model (${aaguid}) is not allowed here`);
    }
  }
  return {
    id: info.credential.id,
    userId: opts.userId,
    publicKey: info.credential.publicKey,
    counter: info.credential.counter,
    transports: info.credential.transports ?? [],
    aaguid,
    backedUp: info.credentialBackedUp,
    createdAt: opts.now,
    lastUsedAt: null,
  };
}
