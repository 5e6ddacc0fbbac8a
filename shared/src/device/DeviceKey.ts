import type { webcrypto } from 'node:crypto';

/**
 * How the device key's private half is protected. `software`: a P-256 key whose private JWK is
 * kept in the OS keychain. `tpm`: generated in and never leaving the TPM 2.0 (Linux, via
 * tpm2-tools). `secure-enclave`: reserved (macOS needs a native helper); policy decides what each
 * level may reach (ARCHITECTURE.md, "Devices and posture").
 */
export type DeviceKeyProtection = 'software' | 'tpm' | 'secure-enclave';

/** The public half of a P-256 key as a JWK (RFC 7517), with only the members RFC 7638 hashes. */
export interface DevicePublicJwk {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
}

/**
 * The key that identifies this device: it signs every DPoP proof (RFC 9449), so tokens issued to
 * this device are useless elsewhere, and later signs posture reports.
 */
export interface DeviceKey {
  readonly protection: DeviceKeyProtection;
  readonly publicJwk: DevicePublicJwk;
  /** RFC 7638 SHA-256 thumbprint, base64url: the `jkt` that DPoP-bound tokens carry (RFC 9449 §6.1). */
  readonly thumbprint: string;
  /** ES256 signature (IEEE P1363 r||s, as JWS wants) over `data`. Everything signs through this. */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/**
 * A software key also has a WebCrypto pair (non-extractable private half), which openid-client's
 * own DPoP support takes. A hardware key has none: deviceDpopHandle signs its proofs through `sign`.
 */
export interface SoftwareDeviceKey extends DeviceKey {
  readonly protection: 'software';
  readonly keyPair: webcrypto.CryptoKeyPair;
}
