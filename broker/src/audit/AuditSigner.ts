import { createPrivateKey, generateKeyPairSync, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { BrokerError } from '../errors/BrokerError.js';
import { loadOrCreateSetting } from '../keys/loadOrCreateSetting.js';
import type { Store } from '../store/Store.js';

/** The Ed25519 public key a verifier needs, as a JWK (RFC 8037) with `kid` = RFC 7638 thumbprint. */
export interface AuditPublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
}

/** Signs checkpoints and export trailers with the broker's audit key. */
export interface AuditSigner {
  readonly keyId: string;
  readonly publicJwk: AuditPublicJwk;
  /** base64url Ed25519 signature (RFC 8032) over `data`. */
  sign(data: string): string;
}

/** Where the private key is kept: the store's settings, shared by every broker instance. */
export const AUDIT_KEY_SETTING = 'audit.signingKey';

/**
 * Loads the audit signing key, generating it on first use. Several instances starting at once
 * agree on one key (insert-if-absent), so every checkpoint verifies against the exported key.
 */
export async function loadAuditSigner(store: Store): Promise<AuditSigner> {
  const jwk = await loadOrCreateSetting<JsonWebKey>(store, AUDIT_KEY_SETTING, async () =>
    generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }),
  );
  return auditSignerFromJwk(jwk);
}

export async function auditSignerFromJwk(jwk: JsonWebKey): Promise<AuditSigner> {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string' || typeof jwk.d !== 'string') {
    throw new BrokerError('invalid_config', 'the stored audit signing key is not an Ed25519 private JWK');
  }
  const privateKey: KeyObject = createPrivateKey({ key: jwk, format: 'jwk' });
  const kid = await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: jwk.x }, 'sha256');
  const publicJwk: AuditPublicJwk = { kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid };
  return {
    keyId: kid,
    publicJwk,
    sign: (data) => sign(null, Buffer.from(data, 'utf8'), privateKey).toString('base64url'),
  };
}
