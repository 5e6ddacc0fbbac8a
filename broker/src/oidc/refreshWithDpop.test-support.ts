import { randomUUID } from 'node:crypto';
import { exportJWK, type generateKeyPair, SignJWT } from 'jose';
import type { InProcessBroker } from '../http/inProcessBroker.test-support.js';
import { STRONGROOM_CLI_CLIENT_ID } from './strongroomCliClient.js';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

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
  const jwk = await exportJWK(key.publicKey);
  let nonce: string | undefined;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const proof = await new SignJWT({
      htm: 'POST',
      htu: `${broker.issuer}/token`,
      jti: randomUUID(),
      ...(nonce ? { nonce } : {}),
    })
      .setIssuedAt(iat)
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk })
      .sign(key.privateKey);
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
    nonce = res.headers['dpop-nonce'] as string | undefined;
    const body = res.json<Record<string, unknown>>();
    if (body['error'] !== 'use_dpop_nonce') return { status: res.statusCode, body };
  }
  throw new Error('the broker kept asking for a DPoP nonce');
}

/** One refresh grant (postTokenWithDpop). */
export function refreshWithDpop(
  broker: InProcessBroker,
  refreshToken: string,
  key: KeyPair,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return postTokenWithDpop(broker, { grant_type: 'refresh_token', refresh_token: refreshToken }, key);
}
