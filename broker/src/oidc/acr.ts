/**
 * The one authentication level this broker asserts, advertised in `acr_values_supported`.
 * It means: a FIDO2 hardware authenticator, origin-bound (phishing-resistant), with user verification.
 * A URN under our own namespace because no registered `acr` value (OIDC Core §2) names exactly this;
 * other OpenID Providers standing in for the broker must assert the same value and `amr`.
 */
export const HARDWARE_KEY_ACR = 'urn:strongroom:acr:hwk';

/**
 * `amr` for a WebAuthn login with user verification (RFC 8176 §2): `hwk` proof of possession of a
 * hardware-secured key, `user` presence (the touch), `mfa` because user verification (PIN or
 * biometric on the key) is a second factor on top of possession.
 */
export const HARDWARE_KEY_AMR: readonly string[] = Object.freeze(['hwk', 'user', 'mfa']);
