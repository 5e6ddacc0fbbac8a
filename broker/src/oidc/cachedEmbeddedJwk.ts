import {
  calculateJwkThumbprint,
  EmbeddedJWK,
  type CryptoKey,
  type FlattenedJWSInput,
  type JWK,
  type JWSHeaderParameters,
} from 'jose';

/** Distinct proof keys remembered; a device keeps one key, so this covers many active devices. */
const MAX_KEYS = 1024;
/** A header JWK longer than this is never cached (P-256 and Ed25519 public JWKs are ~130 chars). */
const MAX_JWK_JSON = 2048;

/** A small LRU: a Map keeps insertion order, a hit moves its entry to the end, the oldest goes first. */
class Lru<V> {
  readonly #entries = new Map<string, V>();

  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > MAX_KEYS) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}

const jsonOf = (jwk: unknown): string | undefined => {
  if (typeof jwk !== 'object' || jwk === null) return undefined;
  const json = JSON.stringify(jwk);
  return json.length <= MAX_JWK_JSON ? json : undefined;
};

/**
 * jose's `EmbeddedJWK` (the key resolver for a JWS that carries its public key in the `jwk`
 * header, as every DPoP proof does) with its result remembered per (alg, jwk). jose imports the
 * header's JWK through WebCrypto on every call (~0.15-0.2 ms, ~10% of a refresh grant's CPU), yet a
 * client signs every proof with the same key. The cache key is the header's whole `jwk` member as
 * JSON plus the header's `alg`, the only inputs `EmbeddedJWK` reads from a compact JWS: on a hit the
 * answer is the very CryptoKey jose made for that input, on a miss jose itself decides (every check
 * it makes: JSON object, public key only, `use`, `alg` agreement, key import), and only successes
 * are kept. The signature is still verified on every proof, by jose, with that key: caching the
 * public key changes what is computed, never what is accepted.
 */
export class CachedEmbeddedJwk {
  readonly #keys = new Lru<Promise<CryptoKey>>();
  readonly #thumbprints = new Lru<Promise<string>>();

  /** Use in place of `EmbeddedJWK`: `jwtVerify(proof, cache.resolve, options)`. */
  readonly resolve = (
    protectedHeader?: JWSHeaderParameters,
    token?: FlattenedJWSInput,
  ): Promise<CryptoKey> => {
    // Compact JWS (DPoP) has no unprotected header; anything else goes to jose uncached.
    const json = token?.header === undefined ? jsonOf(protectedHeader?.jwk) : undefined;
    if (json === undefined) return EmbeddedJWK(protectedHeader, token as FlattenedJWSInput);
    const cacheKey = `${String(protectedHeader?.alg)}\n${json}`;
    const cached = this.#keys.get(cacheKey);
    if (cached) return cached;
    const imported = EmbeddedJWK(protectedHeader, token as FlattenedJWSInput);
    this.#keys.set(cacheKey, imported);
    // A refusal is not remembered: the next proof with that header asks jose again.
    imported.catch(() => this.#keys.delete(cacheKey));
    return imported;
  };

  /** RFC 7638 thumbprint of a header JWK (jose's `calculateJwkThumbprint`), remembered per JWK. */
  thumbprint(jwk: JWK): Promise<string> {
    const json = jsonOf(jwk);
    if (json === undefined) return calculateJwkThumbprint(jwk);
    const cached = this.#thumbprints.get(json);
    if (cached) return cached;
    const computed = calculateJwkThumbprint(jwk);
    this.#thumbprints.set(json, computed);
    computed.catch(() => this.#thumbprints.delete(json));
    return computed;
  }

  /** Entries held (tests). */
  get size(): { keys: number; thumbprints: number } {
    return { keys: this.#keys.size, thumbprints: this.#thumbprints.size };
  }
}

/**
 * The process's one cache of DPoP proof keys: the token endpoint and `/api/v1` see the same device
 * keys (a device refreshes and calls the API with one key), so each is imported and held once.
 */
export const dpopProofKeys = new CachedEmbeddedJwk();
