import { webcrypto } from 'node:crypto';
import { StrongroomError } from '../errors/StrongroomError.js';
import type { CredentialStore } from '../vault/CredentialStore.js';
import type { DevicePublicJwk, SoftwareDeviceKey } from './DeviceKey.js';
import { jwkThumbprint } from './jwkThumbprint.js';

const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/**
 * Where a profile's device key lives in the vault. A separate namespace from the profile's tokens,
 * because signing out ends a session, not the device's identity (which the broker will enroll).
 */
export function deviceKeyNamespace(profile: string): string {
  return `${profile}.device`;
}

function publicOf(jwk: webcrypto.JsonWebKey): DevicePublicJwk {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') {
    throw new StrongroomError('internal', 'The stored device key is not a P-256 key.');
  }
  return Object.freeze({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y });
}

async function fromPrivateJwk(jwk: webcrypto.JsonWebKey): Promise<SoftwareDeviceKey> {
  const publicJwk = publicOf(jwk);
  // Imported non-extractable: once loaded, nothing in this process can export the private half.
  const privateKey = await webcrypto.subtle.importKey('jwk', jwk, ALG, false, ['sign']);
  const publicKey = await webcrypto.subtle.importKey('jwk', { ...publicJwk, ext: true }, ALG, true, [
    'verify',
  ]);
  return Object.freeze({
    protection: 'software',
    publicJwk,
    thumbprint: jwkThumbprint(publicJwk),
    keyPair: { privateKey, publicKey },
    sign: async (data: Uint8Array) =>
      new Uint8Array(await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, data)),
  });
}

/** The vault entry (in deviceKeyNamespace) that holds a software key's private JWK. */
export const SOFTWARE_KEY_ENTRY = 'private_jwk';

/** A software device key from its stored private JWK. */
export async function softwareDeviceKeyFrom(stored: string): Promise<SoftwareDeviceKey> {
  let jwk: webcrypto.JsonWebKey;
  try {
    jwk = JSON.parse(stored) as webcrypto.JsonWebKey;
  } catch (error) {
    throw new StrongroomError('internal', 'The stored device key is unreadable.', {
      cause: error,
      hint: 'Run `strongroom logout --forget-device` and sign in again to create a new device key.',
    });
  }
  return fromPrivateJwk(jwk);
}

/**
 * The profile's software device key: loaded from the vault, or generated (P-256) and stored there
 * on first use. The private JWK only ever exists in the keychain and, non-extractable, in memory.
 */
export async function loadSoftwareDeviceKey(
  store: CredentialStore,
  profile: string,
): Promise<SoftwareDeviceKey> {
  const namespace = deviceKeyNamespace(profile);
  const stored = await store.get(namespace, SOFTWARE_KEY_ENTRY);
  if (stored !== undefined) return softwareDeviceKeyFrom(stored);
  const pair = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const jwk = await webcrypto.subtle.exportKey('jwk', pair.privateKey);
  await store.set(namespace, SOFTWARE_KEY_ENTRY, JSON.stringify(jwk), null);
  return fromPrivateJwk(jwk);
}
