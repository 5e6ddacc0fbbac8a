import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Store } from '../store/Store.js';
import { loadOrCreateSetting } from './loadOrCreateSetting.js';

export interface SigningKeySet {
  keys: JWK[];
}

async function makeKey(alg: 'ES256' | 'RS256'): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, alg, use: 'sig', kid: await calculateJwkThumbprint(jwk) };
}

/**
 * The provider's token-signing JWKS, generated on first start and kept in the store's settings so
 * every instance signs with (and publishes) the same keys. ES256 first (our clients use it); RS256
 * because OpenID Connect Core §15.1 makes it the default ID token algorithm every OP must support.
 */
export function loadSigningKeys(store: Store): Promise<SigningKeySet> {
  return loadOrCreateSetting(store, 'oidc.jwks', async () => ({
    keys: [await makeKey('ES256'), await makeKey('RS256')],
  }));
}
