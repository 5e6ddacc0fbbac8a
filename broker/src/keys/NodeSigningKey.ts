import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { ExternalSigningKey } from 'oidc-provider';
import { BrokerError } from '../errors/BrokerError.js';

/** The JWS algorithms the broker signs with (loadSigningKeys.ts) and how node:crypto makes each. */
const SIGNERS = {
  // JWS wants ECDSA signatures as raw r||s (RFC 7518 §3.4), not DER.
  ES256: (key: KeyObject) => ({ key, dsaEncoding: 'ieee-p1363' as const }),
  RS256: (key: KeyObject) => ({ key }),
} as const;

type SigningAlg = keyof typeof SIGNERS;

function isSigningAlg(alg: unknown): alg is SigningAlg {
  return typeof alg === 'string' && Object.hasOwn(SIGNERS, alg);
}

/**
 * One of the broker's signing keys handed to oidc-provider as an `ExternalSigningKey`
 * (`features.externalSigningSupport`): the private JWK is turned into a node:crypto KeyObject once,
 * at start, and every ID token is signed with it. Given the JWK itself, oidc-provider signs through
 * jose and WebCrypto, which on every token re-validates the algorithm and key, wraps them for a
 * WebCrypto job and base64url-encodes the payload through a string loop; node:crypto signs the same
 * bytes with the same key. Same `kid`, same `alg`, same signature format: the published JWKS and
 * what clients verify do not change.
 */
export class NodeSigningKey extends ExternalSigningKey {
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;
  readonly #signingKey: ReturnType<(typeof SIGNERS)[SigningAlg]>;
  readonly #kid: string;
  readonly #alg: SigningAlg;

  constructor(jwk: JWK) {
    super();
    const { alg, kid } = jwk;
    if (!isSigningAlg(alg) || typeof kid !== 'string' || typeof jwk.d !== 'string')
      throw new BrokerError(
        'invalid_config',
        'a signing key needs a private JWK with kid and alg ES256 or RS256',
      );
    this.#privateKey = createPrivateKey({ key: { ...jwk }, format: 'jwk' });
    this.#publicKey = createPublicKey(this.#privateKey);
    this.#signingKey = SIGNERS[alg](this.#privateKey);
    this.#kid = kid;
    this.#alg = alg;
  }

  override get kid(): string {
    return this.#kid;
  }

  override get alg(): string {
    return this.#alg;
  }

  override keyObject(): KeyObject {
    return this.#publicKey;
  }

  /**
   * On libuv's thread pool (node:crypto's callback form), as WebCrypto did: the token request
   * awaits it inside its store transaction, and that wait is when other requests reach the store
   * and join the same group commit (SqliteStore). Signing on the main thread instead made every
   * request commit (and fsync) alone.
   */
  override sign(data: Uint8Array): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      sign('sha256', data, this.#signingKey, (error, signature) =>
        error ? reject(error) : resolve(signature),
      );
    });
  }
}
