import {
  generateAuthenticationOptions,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import type { RelyingParty } from './relyingParty.js';

/**
 * Options for a discoverable-credential sign-in (no user name typed: the key knows the account).
 * User verification is required so the `mfa` in `amr` is true (WebAuthn L3 §6.2.3).
 */
export function loginOptions(rp: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: rp.id,
    userVerification: 'required',
    allowCredentials: [],
    timeout: 120_000,
  });
}
