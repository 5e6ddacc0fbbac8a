import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify, type JWK } from 'jose';

/** Proof algorithms a service accepts: asymmetric only (RFC 9449 §4.3 step 5). */
export const DPOP_PROOF_ALGS = ['ES256', 'EdDSA'] as const;

export interface DpopProofInput {
  /** The raw `DPoP` header value. */
  proof: string;
  method: string;
  /** The URI the client addressed; query and fragment are ignored (§4.3 step 9). */
  url: URL;
  accessToken: string;
  iatWindowSeconds: number;
  now: number;
}

export type DpopProofCheck =
  { ok: true; thumbprint: string; jti: string; iat: number } | { ok: false; description: string };

const compactJws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const withoutQuery = (url: URL): string => `${url.origin}${url.pathname}`;

/**
 * The resource-server check of a DPoP proof, RFC 9449 §4.3 and §7.1, one rule at a time so each
 * refusal says which. The key binding (thumbprint = the token's `cnf.jkt`) and single use of `jti`
 * are the caller's, once this passed.
 */
export async function checkDpopProof(input: DpopProofInput): Promise<DpopProofCheck> {
  const refuse = (description: string): DpopProofCheck => ({ ok: false, description });
  const { proof } = input;
  // Steps 1-2: exactly one well-formed JWT (two headers arrive joined by a comma and fail here).
  if (proof.length > 8192 || !compactJws.test(proof)) return refuse('DPoP header must hold one compact JWT');
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(proof);
  } catch {
    return refuse('DPoP proof header is not valid JSON');
  }
  // Steps 4, 5, 7.
  if (header.typ !== 'dpop+jwt') return refuse('DPoP proof typ must be dpop+jwt');
  if (!DPOP_PROOF_ALGS.includes(header.alg as (typeof DPOP_PROOF_ALGS)[number]))
    return refuse(`DPoP proof alg must be one of ${DPOP_PROOF_ALGS.join(', ')}`);
  const jwk = header.jwk as JWK | undefined;
  if (typeof jwk !== 'object' || jwk === null) return refuse('DPoP proof carries no jwk');
  if ('d' in jwk || 'p' in jwk || 'k' in jwk) return refuse('DPoP proof jwk must be a public key');
  // Step 6.
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(proof, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: [...DPOP_PROOF_ALGS],
    }));
  } catch {
    return refuse('DPoP proof signature is invalid');
  }
  const { jti, htm, htu, iat, ath } = payload;
  // Step 3.
  if (typeof jti !== 'string' || jti.length < 8 || jti.length > 200)
    return refuse('DPoP proof jti is missing');
  if (typeof iat !== 'number' || !Number.isInteger(iat)) return refuse('DPoP proof iat is missing');
  // Step 8.
  if (htm !== input.method) return refuse('DPoP proof htm does not match the request method');
  // Step 9.
  let claimed: URL;
  try {
    claimed = new URL(typeof htu === 'string' ? htu : '');
  } catch {
    return refuse('DPoP proof htu is not a URL');
  }
  if (withoutQuery(claimed) !== withoutQuery(input.url))
    return refuse('DPoP proof htu does not match the request URI');
  // Step 11: both directions (a proof from the future was made in advance).
  if (Math.abs(input.now / 1000 - iat) > input.iatWindowSeconds)
    return refuse('DPoP proof iat is outside the window');
  // Step 12 (§7.1): the proof is for this access token.
  if (ath !== createHash('sha256').update(input.accessToken).digest('base64url'))
    return refuse('DPoP proof ath does not match the access token');
  return { ok: true, thumbprint: await calculateJwkThumbprint(jwk, 'sha256'), jti, iat };
}
