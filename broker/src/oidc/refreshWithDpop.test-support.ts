import { randomUUID } from 'node:crypto';
import { exportJWK, type generateKeyPair, type JWK, SignJWT } from 'jose';
import type { InProcessBroker } from '../http/inProcessBroker.test-support.js';
import { STRONGROOM_CLI_CLIENT_ID } from './strongroomCliClient.js';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

/** What a test may set in a DPoP proof; anything left out is what a correct client sends. */
export interface DpopProofOptions {
  htm?: string;
  /** Default: the broker's token endpoint. */
  htu?: string;
  jti?: string;
  /** Seconds (default: now). */
  iat?: number;
  nonce?: string;
  /** The `jwk` header, when it should not be the signer's own public key. */
  jwk?: JWK;
}

/** A DPoP proof (RFC 9449 §4) for the broker's token endpoint, signed by `key`. For tests. */
export async function tokenDpopProof(
  broker: Pick<InProcessBroker, 'issuer'>,
  key: KeyPair,
  opts: DpopProofOptions = {},
): Promise<string> {
  return new SignJWT({
    htm: opts.htm ?? 'POST',
    htu: opts.htu ?? `${broker.issuer}/token`,
    jti: opts.jti ?? randomUUID(),
    ...(opts.nonce ? { nonce: opts.nonce } : {}),
  })
    .setIssuedAt(opts.iat)
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: opts.jwk ?? (await exportJWK(key.publicKey)) })
    .sign(key.privateKey);
}

/** One token-endpoint request with the given proof, as the CLI sends it (no nonce retry). For tests. */
export async function postToken(
  broker: Pick<InProcessBroker, 'app' | 'issuer'>,
  params: Record<string, string>,
  proof: string,
): Promise<{ status: number; body: Record<string, unknown>; nonce: string | undefined }> {
  const res = await broker.app.inject({
    method: 'POST',
    url: '/token',
    headers: {
      host: new URL(broker.issuer).host,
      'content-type': 'application/x-www-form-urlencoded',
      dpop: proof,
    },
    payload: new URLSearchParams({ client_id: STRONGROOM_CLI_CLIENT_ID, ...params }).toString(),
  });
  const nonce = res.headers['dpop-nonce'];
  return {
    status: res.statusCode,
    body: res.json<Record<string, unknown>>(),
    nonce: typeof nonce === 'string' ? nonce : undefined,
  };
}

/**
 * One token-endpoint request against the in-process broker, as the CLI sends it: a DPoP proof
 * (RFC 9449 §4) signed by `key`, retried once with the server nonce after `use_dpop_nonce` (§8).
 * For tests.
 */
export async function postTokenWithDpop(
  broker: Pick<InProcessBroker, 'app' | 'issuer'>,
  params: Record<string, string>,
  key: KeyPair,
  /** The proof's `iat` in seconds (default: now); a test that moves the broker's clock passes it. */
  iat?: number,
): Promise<{ status: number; body: Record<string, unknown> }> {
  let nonce: string | undefined;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const res = await postToken(broker, params, await tokenDpopProof(broker, key, { nonce, iat }));
    nonce = res.nonce;
    if (res.body['error'] !== 'use_dpop_nonce') return { status: res.status, body: res.body };
  }
  throw new Error('the broker kept asking for a DPoP nonce');
}

/** One refresh grant (postTokenWithDpop). */
export function refreshWithDpop(
  broker: Pick<InProcessBroker, 'app' | 'issuer'>,
  refreshToken: string,
  key: KeyPair,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return postTokenWithDpop(broker, { grant_type: 'refresh_token', refresh_token: refreshToken }, key);
}
