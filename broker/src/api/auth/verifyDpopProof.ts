import { createHash } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { BrokerError } from '../../errors/BrokerError.js';
import { dpopProofKeys } from '../../oidc/cachedEmbeddedJwk.js';

/** Proof algorithms the API accepts (RFC 9449 §5 `algs` in WWW-Authenticate). Asymmetric only. */
export const DPOP_ALGS = ['ES256', 'EdDSA'] as const;

export interface DpopRequest {
  /** The raw `DPoP` header value (exactly one proof). */
  proof: string;
  method: string;
  /** The URI the client addressed, `origin + path`; query and fragment are ignored (§4.3 step 9). */
  url: URL;
  accessToken: string;
  /** Seconds the proof's `iat` may be away from `now`. */
  iatWindowSeconds: number;
  now: () => number;
}

export interface VerifiedDpopProof {
  /** RFC 7638 thumbprint of the proof key: must equal the token's `cnf.jkt` (§6.1). */
  thumbprint: string;
  jti: string;
  iat: number;
}

const compactJws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_PROOF_LENGTH = 8 * 1024;

const refuse = (description: string, cause?: unknown): BrokerError =>
  new BrokerError('invalid_dpop_proof', description, cause === undefined ? {} : { cause });

const withoutQuery = (url: URL): string => `${url.origin}${url.pathname}`;

/**
 * Proof keys and thumbprints remembered per header JWK, shared with the token endpoint (see
 * CachedEmbeddedJwk): a device signs every API call with the same key, and jose would otherwise
 * import it through WebCrypto on each one. Every signature is still verified. Exported for tests.
 */
export const apiProofKeys = dpopProofKeys;

/**
 * Checks a DPoP proof presented with an access token at a protected resource, RFC 9449 §4.3 and
 * §7.1, one step at a time so every refusal names its rule. Single use of `jti` (§11.1) is the
 * caller's, once the token binding also holds.
 */
export async function verifyDpopProof(input: DpopRequest): Promise<VerifiedDpopProof> {
  const { proof } = input;
  // §4.3 steps 1-2: one well-formed JWT. Two DPoP headers arrive joined by a comma and fail here.
  if (proof.length > MAX_PROOF_LENGTH || !compactJws.test(proof))
    throw refuse('DPoP header must hold exactly one compact JWT');
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(proof);
  } catch (cause) {
    throw refuse('DPoP proof header is not valid JSON', cause);
  }
  // Steps 4, 5, 7: typ, an asymmetric supported alg, and a public key only.
  if (header.typ !== 'dpop+jwt') throw refuse('DPoP proof typ must be dpop+jwt');
  if (!DPOP_ALGS.includes(header.alg as (typeof DPOP_ALGS)[number]))
    throw refuse(`DPoP proof alg must be one of ${DPOP_ALGS.join(', ')}`);
  const jwk = header.jwk as JWK | undefined;
  if (typeof jwk !== 'object' || jwk === null) throw refuse('DPoP proof carries no jwk');
  if ('d' in jwk || 'p' in jwk || 'k' in jwk) throw refuse('DPoP proof jwk must be a public key');
  // Step 6: the signature, with the key in the header.
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(proof, apiProofKeys.resolve, {
      typ: 'dpop+jwt',
      algorithms: [...DPOP_ALGS],
    }));
  } catch (cause) {
    throw refuse('DPoP proof signature or claims are invalid', cause);
  }
  const { jti, htm, htu, iat, ath } = payload;
  // Step 3: required claims.
  if (typeof jti !== 'string' || jti.length < 8 || jti.length > 200)
    throw refuse('DPoP proof jti is missing or malformed');
  if (typeof iat !== 'number' || !Number.isInteger(iat)) throw refuse('DPoP proof iat is missing');
  // Step 8: htm.
  if (htm !== input.method) throw refuse('DPoP proof htm does not match the request method');
  // Step 9: htu, compared without query and fragment after URL normalisation (RFC 3986 §6).
  let claimed: URL;
  try {
    claimed = new URL(typeof htu === 'string' ? htu : '');
  } catch {
    throw refuse('DPoP proof htu is not a URL');
  }
  if (withoutQuery(claimed) !== withoutQuery(input.url))
    throw refuse('DPoP proof htu does not match the request URI');
  // Step 11: iat within the window (both directions: a proof from the future is pre-computed).
  if (Math.abs(input.now() / 1000 - iat) > input.iatWindowSeconds)
    throw refuse('DPoP proof iat is not recent enough');
  // Step 12 (§7.1): ath binds the proof to this access token.
  const expectedAth = createHash('sha256').update(input.accessToken).digest('base64url');
  if (ath !== expectedAth) throw refuse('DPoP proof ath does not match the access token');
  return { thumbprint: await apiProofKeys.thumbprint(jwk), jti, iat };
}
