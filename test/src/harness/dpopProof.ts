import { createHash, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';

export interface DpopKey {
  privateKey: CryptoKey;
  publicJwk: Record<string, unknown>;
}

export async function newDpopKey(): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)) } };
}

export interface DpopProofClaims {
  htm: string;
  htu: string;
  /** Seconds since the epoch; default now. */
  iat?: number;
  jti?: string;
  nonce?: string;
  /** The access token this proof accompanies (its SHA-256 goes in `ath`, RFC 9449 §4.2). */
  accessToken?: string;
}

/**
 * Hand-made DPoP proof (RFC 9449 §4.2) so tests can break one rule at a time (htm, htu, iat, jti,
 * key). Normal clients use openid-client's DPoP handle instead.
 */
export async function dpopProof(key: DpopKey, claims: DpopProofClaims): Promise<string> {
  const payload: Record<string, unknown> = {
    htm: claims.htm,
    htu: claims.htu,
    jti: claims.jti ?? randomUUID(),
    iat: claims.iat ?? Math.floor(Date.now() / 1000),
  };
  if (claims.nonce) payload['nonce'] = claims.nonce;
  if (claims.accessToken)
    payload['ath'] = createHash('sha256').update(claims.accessToken).digest('base64url');
  return new SignJWT(payload)
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk })
    .sign(key.privateKey);
}

/** A server nonce the broker currently accepts (RFC 9449 §8: a proof without one gets use_dpop_nonce). */
export async function currentDpopNonce(tokenEndpoint: string): Promise<string> {
  const probe = await dpopProof(await newDpopKey(), { htm: 'POST', htu: tokenEndpoint });
  const res = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: probe },
    body: 'grant_type=refresh_token&refresh_token=x&client_id=strongroom-cli',
  });
  const nonce = res.headers.get('dpop-nonce');
  if (!nonce) throw new Error(`no DPoP-Nonce from ${tokenEndpoint} (status ${res.status})`);
  return nonce;
}
