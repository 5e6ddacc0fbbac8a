import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessBroker, type InProcessBroker } from '../http/inProcessBroker.test-support.js';
import { CachedEmbeddedJwk } from './cachedEmbeddedJwk.js';
import { mintRefreshToken } from './mintRefreshToken.test-support.js';
import { postToken, tokenDpopProof, type DpopProofOptions } from './refreshWithDpop.test-support.js';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

const USER = { id: 'u1', email: 'u1@example.com', displayName: 'U1' };

// The refresh grant runs oidc-provider's own handler with a DPoP check whose proof keys are
// remembered per client key (refreshGrantWithCachedDpopKeys.ts). Each rule of RFC 9449 is attacked
// with the key already remembered, so a cache that accepted anything it should not would show here.
describe('refresh grant with remembered DPoP proof keys', () => {
  let broker: InProcessBroker;
  let nonce = '';

  beforeAll(async () => {
    broker = await inProcessBroker();
    await broker.store.createUser({ ...USER, createdAt: Date.now() });
  });
  afterAll(async () => broker?.close());

  async function post(refreshToken: string, proof: string) {
    const res = await postToken(broker, { grant_type: 'refresh_token', refresh_token: refreshToken }, proof);
    nonce = res.nonce ?? nonce;
    return res;
  }
  const proofOf = (key: KeyPair, opts: DpopProofOptions = {}) => tokenDpopProof(broker, key, opts);

  /** A refresh that must work: proves the key is remembered and the chain is healthy. */
  async function refreshOk(key: KeyPair, refreshToken: string): Promise<string> {
    let res = await post(refreshToken, await proofOf(key, { nonce }));
    if (res.body['error'] === 'use_dpop_nonce') res = await post(refreshToken, await proofOf(key, { nonce }));
    expect(res).toMatchObject({ status: 200 });
    return String(res.body['refresh_token']);
  }

  async function chain(key: KeyPair): Promise<string> {
    const jkt = await calculateJwkThumbprint(await exportJWK(key.publicKey));
    const first = await mintRefreshToken(broker.provider, {
      accountId: USER.id,
      jkt,
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    // Two refreshes: the second one's proof key comes from the cache.
    return refreshOk(key, await refreshOk(key, first));
  }

  it('refuses a proof that carries the bound public key but is signed by another key', async () => {
    const victim = await generateKeyPair('ES256');
    const attacker = await generateKeyPair('ES256');
    const token = await chain(victim);
    const forged = await proofOf(attacker, { nonce, jwk: await exportJWK(victim.publicKey) });
    const res = await post(token, forged);
    expect(res).toMatchObject({ status: 400, body: { error: 'invalid_dpop_proof' } });
    // Nothing was consumed: the victim's token still refreshes.
    await refreshOk(victim, token);
  });

  it('refuses wrong htm, wrong htu, a bad nonce, a missing nonce and a stale iat from a remembered key', async () => {
    const key = await generateKeyPair('ES256');
    let token = await chain(key);
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, () => Promise<string>, string][] = [
      ['htm', () => proofOf(key, { nonce, htm: 'GET' }), 'invalid_dpop_proof'],
      ['htu', () => proofOf(key, { nonce, htu: `${broker.issuer}/me` }), 'invalid_dpop_proof'],
      ['nonce', () => proofOf(key, { nonce: 'not-a-server-nonce' }), 'use_dpop_nonce'],
      ['no nonce', () => proofOf(key), 'use_dpop_nonce'],
      ['iat', () => proofOf(key, { nonce, iat: now - 3600 }), 'invalid_dpop_proof'],
    ];
    for (const [rule, make, error] of cases) {
      const res = await post(token, await make());
      expect({ rule, status: res.status, error: res.body['error'] }).toEqual({ rule, status: 400, error });
      token = await refreshOk(key, token);
    }
  });

  it('refuses a replayed proof (same jti) from a remembered key', async () => {
    const key = await generateKeyPair('ES256');
    const token = await chain(key);
    const jti = randomUUID();
    const first = await post(token, await proofOf(key, { nonce, jti }));
    expect(first.status).toBe(200);
    const rotated = String(first.body['refresh_token']);
    const replay = await post(rotated, await proofOf(key, { nonce, jti }));
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    // Control: the same token with a fresh jti refreshes, so the refusal was the replayed jti.
    await refreshOk(key, rotated);
  });

  it('refuses a refresh signed by another remembered key than the token is bound to', async () => {
    const bound = await generateKeyPair('ES256');
    const other = await generateKeyPair('ES256');
    const token = await chain(bound);
    await chain(other);
    const res = await post(token, await proofOf(other, { nonce }));
    expect(res).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('binds the new access token to the proof key (cnf.jkt)', async () => {
    const key = await generateKeyPair('ES256');
    const token = await chain(key);
    const res = await post(token, await proofOf(key, { nonce }));
    expect(res.status).toBe(200);
    expect(res.body['token_type']).toBe('DPoP');
    const jkt = await calculateJwkThumbprint(await exportJWK(key.publicKey));
    const introspected = await broker.provider.AccessToken.find(String(res.body['access_token']));
    expect(introspected?.jkt).toBe(jkt);
  });

  it('is pinned to the oidc-provider version its validateDpop copy was taken from', () => {
    // refreshGrantWithCachedDpopKeys.ts copies lib/helpers/validate_dpop.js: on an upgrade, compare
    // the two, then move this pin.
    const require = createRequire(import.meta.url);
    const pkg = JSON.parse(readFileSync(require.resolve('oidc-provider/package.json'), 'utf8')) as {
      version: string;
    };
    expect(pkg.version).toBe('9.13.3');
  });
});

describe('CachedEmbeddedJwk', () => {
  async function proof(signer: KeyPair, jwk: JWK, alg = 'ES256'): Promise<string> {
    return new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ typ: 'dpop+jwt', alg, jwk })
      .sign(signer.privateKey);
  }

  it('hands back the same key for the same header and still checks every signature', async () => {
    const cache = new CachedEmbeddedJwk();
    const key = await generateKeyPair('ES256');
    const jwk = await exportJWK(key.publicKey);
    const a = await jwtVerify(await proof(key, jwk), cache.resolve);
    const b = await jwtVerify(await proof(key, jwk), cache.resolve);
    expect(b.key).toBe(a.key);
    expect(cache.size.keys).toBe(1);
    const other = await generateKeyPair('ES256');
    await expect(jwtVerify(await proof(other, jwk), cache.resolve)).rejects.toThrow(/signature/);
  });

  it('refuses what jose refuses, every time, and remembers no refusal', async () => {
    const cache = new CachedEmbeddedJwk();
    const key = await generateKeyPair('ES256', { extractable: true });
    const privateJwk = await exportJWK(key.privateKey);
    for (let i = 0; i < 2; i += 1)
      await expect(jwtVerify(await proof(key, privateJwk), cache.resolve)).rejects.toThrow(/public key/);
    const jwk = await exportJWK(key.publicKey);
    for (let i = 0; i < 2; i += 1)
      await expect(jwtVerify(await proof(key, { ...jwk, use: 'enc' }), cache.resolve)).rejects.toThrow(/use/);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(cache.size.keys).toBe(0);
  });

  it('keeps at most 1024 keys and remembers thumbprints per JWK', async () => {
    const cache = new CachedEmbeddedJwk();
    const key = await generateKeyPair('ES256');
    const jwk = await exportJWK(key.publicKey);
    // The same JWK under 1100 distinct headers (an extra member changes the cache key, not the key).
    for (let i = 0; i < 1100; i += 1) await cache.resolve({ alg: 'ES256', jwk: { ...jwk, kid: `k${i}` } });
    expect(cache.size.keys).toBe(1024);
    expect(await cache.thumbprint(jwk)).toBe(await calculateJwkThumbprint(jwk));
    expect(await cache.thumbprint(jwk)).toBe(await calculateJwkThumbprint(jwk));
    expect(cache.size.thumbprints).toBe(1);
  });
});
