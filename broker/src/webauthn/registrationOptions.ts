import {
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
} from '@simplewebauthn/server';
import type { RelyingParty } from './relyingParty.js';

/**
 * Options for enrolling a security key: a resident (discoverable) credential with user
 * verification, and `direct` attestation so the authenticator model (AAGUID) can be checked.
 */
export function registrationOptions(
  rp: RelyingParty,
  user: { id: string; email: string; displayName: string },
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userID: new TextEncoder().encode(user.id),
    userName: user.email,
    userDisplayName: user.displayName,
    attestationType: 'direct',
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    // ES256, EdDSA, RS256 (COSE ids): what FIDO2 security keys sign with.
    supportedAlgorithmIDs: [-7, -8, -257],
    timeout: 120_000,
  });
}
