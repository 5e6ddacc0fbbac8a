import type { DeviceKey } from '@strongroom/shared/device/DeviceKey.js';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRecord } from '../../store/records.js';
import { apiTestBroker, makeTestDeviceKey, type ApiTestBroker } from '../apiTestBroker.js';
import { registerApi } from '../registerApi.js';
import { apiCallerOf } from './ApiCaller.js';

/**
 * The `/api/v1` resource server against tokens issued by the real oidc-provider, each test breaking
 * one rule of RFC 6750 / RFC 9449 §4.3, §7.1 (CONVENTIONS.md: every security rule has a test that
 * tries to break it).
 */
describe('/api/v1 authentication (DPoP-bound access tokens)', () => {
  let b: ApiTestBroker;
  let user: UserRecord;
  let key: DeviceKey;
  let token: string;
  beforeAll(async () => {
    b = await apiTestBroker();
    user = await b.newUser({ email: 'ada@example.test' });
    key = await makeTestDeviceKey();
    token = await b.issueToken(user, key);
  });
  afterAll(async () => b?.close());

  const challenge = (res: { headers: Record<string, unknown> }): string =>
    String(res.headers['www-authenticate'] ?? '');
  const lastAudit = async () => {
    const head = await b.store.auditHead();
    return (await b.store.readAudit(head.seq, 1))[0];
  };

  it('accepts a DPoP-bound token with a valid proof from its key', async () => {
    const res = await b.call({ key, token, method: 'GET', path: '/api/v1/devices' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ devices: [] });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('refuses a request without a token: 401 with a DPoP challenge and no error code (RFC 6750 §3.1)', async () => {
    const res = await b.app.inject({ method: 'GET', url: '/api/v1/devices' });
    expect(res.statusCode).toBe(401);
    expect(challenge(res)).toBe('DPoP algs="ES256 EdDSA"');
    expect(res.json()).toMatchObject({ error: 'unauthorized' });
  });

  it('refuses the token presented as a Bearer token (RFC 9449 §7.2), and audits it', async () => {
    const res = await b.call({
      key,
      token,
      method: 'GET',
      path: '/api/v1/devices',
      authorization: `Bearer ${token}`,
      dpop: null,
    });
    expect(res.statusCode).toBe(401);
    expect(challenge(res)).toMatch(
      /^DPoP error="invalid_token", error_description="[^"]*DPoP[^"]*", algs="ES256 EdDSA"$/,
    );
    expect(res.json()).toMatchObject({ error: 'invalid_token' });
    expect(res.body).not.toContain(token);
    expect(await lastAudit()).toMatchObject({
      classUid: 6003,
      statusId: 2,
      activity: 'api.auth',
      data: { error: 'invalid_token' },
    });
  });

  it('refuses a DPoP token without a proof', async () => {
    const res = await b.call({ key, token, method: 'GET', path: '/api/v1/devices', dpop: null });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: 'invalid_dpop_proof' });
    expect(challenge(res)).toContain('error="invalid_dpop_proof"');
  });

  it('refuses a proof signed by another key than the token is bound to', async () => {
    const other = await makeTestDeviceKey();
    const res = await b.call({ key, token, method: 'GET', path: '/api/v1/devices', proof: { key: other } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({
      error: 'invalid_dpop_proof',
      error_description: expect.stringMatching(/bound to/),
    });
  });

  it('refuses a replayed proof (jti single use, RFC 9449 §11.1)', async () => {
    const proof = await b.proof(key, { htm: 'GET', htu: `${b.issuer}/api/v1/devices`, accessToken: token });
    const first = await b.call({ key, token, method: 'GET', path: '/api/v1/devices', dpop: proof });
    expect(first.statusCode).toBe(200);
    const again = await b.call({ key, token, method: 'GET', path: '/api/v1/devices', dpop: proof });
    expect(again.statusCode).toBe(401);
    expect(again.json()).toMatchObject({
      error: 'invalid_dpop_proof',
      error_description: expect.stringMatching(/already been used/),
    });
    expect(await lastAudit()).toMatchObject({
      classUid: 6003,
      statusId: 2,
      data: { error: 'invalid_dpop_proof' },
    });
  });

  it('refuses a proof for another URI (htu) or method (htm), and accepts a query on the request', async () => {
    const htu = await b.call({
      key,
      token,
      method: 'GET',
      path: '/api/v1/devices',
      proof: { htu: `${b.issuer}/api/v1/posture` },
    });
    expect(htu.json()).toMatchObject({
      error: 'invalid_dpop_proof',
      error_description: expect.stringMatching(/htu/),
    });
    const origin = await b.call({
      key,
      token,
      method: 'GET',
      path: '/api/v1/devices',
      proof: { htu: 'http://evil.test:7700/api/v1/devices' },
    });
    expect(origin.json()).toMatchObject({ error_description: expect.stringMatching(/htu/) });
    const htm = await b.call({ key, token, method: 'GET', path: '/api/v1/devices', proof: { htm: 'POST' } });
    expect(htm.json()).toMatchObject({
      error: 'invalid_dpop_proof',
      error_description: expect.stringMatching(/htm/),
    });
    // §4.3 step 9: query and fragment are not part of htu.
    const query = await b.call({
      key,
      token,
      method: 'GET',
      path: '/api/v1/devices?x=1',
      proof: { htu: `${b.issuer}/api/v1/devices#f` },
    });
    expect(query.statusCode, query.body).toBe(200);
  });

  it('refuses a stale or future proof (iat window), a wrong typ, and a proof for another token (ath)', async () => {
    const nowS = Math.floor(b.clock.now / 1000);
    for (const iat of [nowS - 120, nowS + 120]) {
      const res = await b.call({ key, token, method: 'GET', path: '/api/v1/devices', proof: { iat } });
      expect(res.json()).toMatchObject({ error_description: expect.stringMatching(/iat/) });
    }
    const typ = await b.call({ key, token, method: 'GET', path: '/api/v1/devices', proof: { typ: 'JWT' } });
    expect(typ.json()).toMatchObject({ error_description: expect.stringMatching(/typ/) });
    const ath = await b.call({
      key,
      token,
      method: 'GET',
      path: '/api/v1/devices',
      proof: { ath: 'x'.repeat(43) },
    });
    expect(ath.json()).toMatchObject({ error_description: expect.stringMatching(/ath/) });
    const two = await b.proof(key, { htm: 'GET', htu: `${b.issuer}/api/v1/devices`, accessToken: token });
    const joined = await b.call({
      key,
      token,
      method: 'GET',
      path: '/api/v1/devices',
      dpop: `${two}, ${two}`,
    });
    expect(joined.json()).toMatchObject({ error: 'invalid_dpop_proof' });
  });

  it('refuses an unknown token, a token that is not DPoP-bound, an expired one, and a locked account', async () => {
    const unknown = await b.call({
      key,
      token: 'not-a-token-at-all-0123456789',
      method: 'GET',
      path: '/api/v1/devices',
    });
    expect(unknown.json()).toMatchObject({ error: 'invalid_token' });
    const unbound = await b.issueToken(user, key, { jkt: null });
    const res = await b.call({ key, token: unbound, method: 'GET', path: '/api/v1/devices' });
    expect(res.json()).toMatchObject({
      error: 'invalid_token',
      error_description: expect.stringMatching(/not DPoP-bound/),
    });
    const short = await b.issueToken(user, key, { expiresIn: 30 });
    b.clock.now += 31_000;
    try {
      const expired = await b.call({ key, token: short, method: 'GET', path: '/api/v1/devices' });
      expect(expired.json()).toMatchObject({
        error: 'invalid_token',
        error_description: expect.stringMatching(/expired/),
      });
    } finally {
      b.clock.now -= 31_000;
    }
    const locked = await b.newUser({ status: 'locked' });
    const lockedToken = await b.issueToken(locked, key);
    const lockedRes = await b.call({ key, token: lockedToken, method: 'GET', path: '/api/v1/devices' });
    expect(lockedRes.json()).toMatchObject({
      error: 'invalid_token',
      error_description: expect.stringMatching(/locked/),
    });
  });

  it('refuses a token issued for another audience (resource indicator)', async () => {
    const other = await b.issueToken(user, key, { aud: 'https://models.example.test' });
    const res = await b.call({ key, token: other, method: 'GET', path: '/api/v1/devices' });
    expect(res.json()).toMatchObject({
      error: 'invalid_token',
      error_description: expect.stringMatching(/audience/),
    });
  });

  it('refuses a token whose grant (session) was revoked', async () => {
    const revokedToken = await b.issueToken(user, key);
    const found = await b.provider.AccessToken.find(revokedToken);
    await b.provider.Grant.adapter.destroy(found?.grantId ?? '');
    const res = await b.call({ key, token: revokedToken, method: 'GET', path: '/api/v1/devices' });
    expect(res.json()).toMatchObject({ error: 'invalid_token' });
  });

  it('routes added by other parts of the broker get the same authentication', async () => {
    const app = Fastify();
    await registerApi(app, {
      store: b.store,
      provider: b.provider,
      issuer: b.issuer,
      now: () => b.clock.now,
      routes: [
        (api) => void api.get('/ping', async (request) => ({ email: apiCallerOf(request).user.email })),
      ],
    });
    try {
      expect((await app.inject({ method: 'GET', url: '/api/v1/ping' })).statusCode).toBe(401);
      const proof = await b.proof(key, { htm: 'GET', htu: `${b.issuer}/api/v1/ping`, accessToken: token });
      const ok = await app.inject({
        method: 'GET',
        url: '/api/v1/ping',
        headers: { authorization: `DPoP ${token}`, dpop: proof },
      });
      expect(ok.json()).toEqual({ email: 'ada@example.test' });
    } finally {
      await app.close();
    }
  });
});
