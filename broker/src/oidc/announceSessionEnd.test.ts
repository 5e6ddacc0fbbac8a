import { calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBrokerConfig } from '../config/loadBrokerConfig.js';
import { inProcessBroker, type InProcessBroker } from '../http/inProcessBroker.test-support.js';
import { mintRefreshToken } from './mintRefreshToken.test-support.js';
import { refreshWithDpop } from './refreshWithDpop.test-support.js';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

// The broker tells the client when the session really ends: `refresh_token_expires_in` in the token
// response and `session_exp` inside the signed ID token, both counted from the key touch
// (auth_time), so a refresh never moves the end later.
describe('token responses announce the absolute session end', () => {
  let broker: InProcessBroker;
  beforeAll(async () => {
    broker = await inProcessBroker();
    await broker.store.createUser({
      id: 'u1',
      email: 'u1@example.com',
      displayName: 'U1',
      createdAt: Date.now(),
    });
  });
  afterAll(async () => broker?.close());

  const refresh = (refreshToken: string, key: KeyPair) => refreshWithDpop(broker, refreshToken, key);

  it('states the same absolute end on every refresh, in the body and the signed ID token', async () => {
    const key = await generateKeyPair('ES256');
    const jkt = await calculateJwkThumbprint(await exportJWK(key.publicKey));
    const authTime = Math.floor(Date.now() / 1000) - 3600;
    const end = authTime + loadBrokerConfig({ port: 7700 }).sessionTtlSeconds;
    let refreshToken = await mintRefreshToken(broker.provider, {
      accountId: 'u1',
      jkt,
      nowSeconds: authTime,
    });
    for (let round = 0; round < 2; round += 1) {
      const { status, body } = await refresh(refreshToken, key);
      expect(status).toBe(200);
      const expiresIn = body['refresh_token_expires_in'];
      expect(typeof expiresIn).toBe('number');
      // Counted from auth_time an hour ago, not from now: exactly the rest of the session on the
      // broker's own clock (fixed in this test, so a slow machine cannot move it).
      expect(Math.floor(broker.clock.now / 1000) + Number(expiresIn)).toBe(end);
      const idToken = decodeJwt(String(body['id_token']));
      expect(idToken['session_exp']).toBe(end);
      expect(idToken['auth_time']).toBe(authTime);
      refreshToken = String(body['refresh_token']);
    }
  });

  it('lists session_exp in discovery so clients can find the claim', async () => {
    const res = await broker.app.inject({
      method: 'GET',
      url: '/.well-known/openid-configuration',
      headers: { host: new URL(broker.issuer).host },
    });
    expect(res.json<{ claims_supported: string[] }>().claims_supported).toContain('session_exp');
  });

  it('adds nothing to an error response', async () => {
    const key = await generateKeyPair('ES256');
    const { status, body } = await refresh('not-a-refresh-token', key);
    expect(status).toBe(400);
    expect(body).not.toHaveProperty('refresh_token_expires_in');
  });
});
