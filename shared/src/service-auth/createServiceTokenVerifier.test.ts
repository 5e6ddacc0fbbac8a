import { createHash, createSecretKey, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type JWK } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createServiceTokenVerifier,
  type ServiceTokenVerifierOptions,
} from './createServiceTokenVerifier.js';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

const AUD = 'https://model-registry.ml.internal';
const URL_ = `${AUD}/v1/models?page=2`;

/**
 * The verifier against a stand-in for the broker's two public endpoints (JWKS, denylist) on
 * 127.0.0.1: the edge of the system. Every rule is attacked: audience, expiry, `alg: none`,
 * HS256 with the public key as secret, a foreign key claiming the broker's `kid`, an ID token
 * (wrong typ), bound tokens as Bearer, missing / replayed / foreign / stale DPoP proofs,
 * revoked tokens, and an unreachable denylist (fail closed).
 */
describe('createServiceTokenVerifier', () => {
  let server: Server;
  let issuer: string;
  let broker: KeyPair;
  let brokerJwk: JWK;
  let device: KeyPair;
  let deviceJwk: JWK;
  let jkt: string;
  const state = { revoked: [] as string[], denylistUp: true, denylistHits: 0 };
  let clock = Date.now();

  beforeAll(async () => {
    broker = await generateKeyPair('ES256', { extractable: true });
    brokerJwk = { ...(await exportJWK(broker.publicKey)), alg: 'ES256', use: 'sig', kid: 'broker-1' };
    device = await generateKeyPair('ES256', { extractable: true });
    deviceJwk = await exportJWK(device.publicKey);
    jkt = await calculateJwkThumbprint(deviceJwk);
    server = createServer((req, res) => {
      if (req.url === '/jwks') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys: [brokerJwk] }));
      } else if (req.url?.startsWith('/api/v1/credentials/revoked')) {
        state.denylistHits += 1;
        if (!state.denylistUp) {
          res.statusCode = 503;
          res.end();
          return;
        }
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            generatedAt: clock,
            revoked: state.revoked.map((id) => ({ id, kind: 'service-token', expiresAt: clock + 60_000 })),
          }),
        );
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    state.revoked = [];
    state.denylistUp = true;
    state.denylistHits = 0;
    clock = Date.now();
  });

  const verifier = (o: Partial<ServiceTokenVerifierOptions> = {}) =>
    createServiceTokenVerifier({ issuer, audience: AUD, now: () => clock, ...o });

  const token = async (
    claims: Record<string, unknown> = {},
    o: {
      key?: KeyPair['privateKey'];
      kid?: string;
      typ?: string;
      exp?: number;
      aud?: string;
      iss?: string;
    } = {},
  ) =>
    new SignJWT({ grants: ['g1'], client_id: 'strongroom-cli', ...claims })
      .setProtectedHeader({ alg: 'ES256', typ: o.typ ?? 'at+jwt', kid: o.kid ?? 'broker-1' })
      .setIssuer(o.iss ?? issuer)
      .setSubject('alice')
      .setAudience(o.aud ?? AUD)
      .setIssuedAt(Math.floor(clock / 1000))
      .setExpirationTime(o.exp ?? Math.floor(clock / 1000) + 600)
      .setJti(randomUUID())
      .sign(o.key ?? broker.privateKey);

  const proof = async (
    accessToken: string,
    o: { htm?: string; htu?: string; iat?: number; jti?: string; key?: KeyPair; ath?: string } = {},
  ) => {
    const key = o.key ?? device;
    return new SignJWT({
      htm: o.htm ?? 'GET',
      htu: o.htu ?? URL_,
      iat: o.iat ?? Math.floor(clock / 1000),
      jti: o.jti ?? randomUUID(),
      ath: o.ath ?? createHash('sha256').update(accessToken).digest('base64url'),
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(key.publicKey) })
      .sign(key.privateKey);
  };

  const bearer = (t: string) => ({ authorization: `Bearer ${t}`, dpop: undefined, method: 'GET', url: URL_ });
  const bound = (t: string, p: string | string[] | undefined) => ({
    authorization: `DPoP ${t}`,
    dpop: p,
    method: 'GET',
    url: URL_,
  });

  it('accepts a valid Bearer token (also as the password of Basic, for git) and reports who and which grants', async () => {
    const v = verifier();
    const t = await token();
    expect(await v.verify(bearer(t))).toMatchObject({
      ok: true,
      token: { subject: 'alice', grants: ['g1'], audience: AUD, jkt: undefined },
    });
    const basic = Buffer.from(`x-strongroom:${t}`).toString('base64');
    expect(await v.verify({ ...bearer(t), authorization: `Basic ${basic}` })).toMatchObject({ ok: true });
  });

  it('refuses a missing or malformed credential, the wrong audience, an expired token, another issuer', async () => {
    const v = verifier();
    expect(await v.verify({ ...bearer(''), authorization: undefined })).toMatchObject({
      ok: false,
      reason: 'missing_token',
      status: 401,
    });
    expect(await v.verify({ ...bearer(''), authorization: 'Token abc' })).toMatchObject({
      reason: 'malformed_request',
    });
    expect(await v.verify(bearer(await token({}, { aud: 'https://experiments.ml.internal' })))).toMatchObject(
      {
        reason: 'wrong_audience',
      },
    );
    const expired = await token({}, { exp: Math.floor(clock / 1000) - 60 });
    expect(await v.verify(bearer(expired))).toMatchObject({ reason: 'expired' });
    expect(await v.verify(bearer(await token({}, { iss: 'https://evil.example' })))).toMatchObject({
      reason: 'invalid_token',
    });
    expect(await v.verify(bearer(await token({ grants: [] })))).toMatchObject({ reason: 'invalid_token' });
    const refused = await v.verify(bearer(await token({}, { aud: 'x' })));
    expect(refused.ok === false && refused.wwwAuthenticate).toMatch(
      /^Bearer realm=".*", error="invalid_token"/,
    );
  });

  it('refuses alg none, HS256 keyed with the public key, a foreign key with the broker kid, and an ID token', async () => {
    const v = verifier();
    const none = new UnsecuredJWT({ grants: ['g1'], sub: 'alice', jti: 'x' })
      .setIssuer(issuer)
      .setAudience(AUD)
      .setIssuedAt()
      .setExpirationTime('10m')
      .encode();
    expect(await v.verify(bearer(none))).toMatchObject({ ok: false, reason: 'invalid_token' });
    // Key confusion: the public key's bytes as an HMAC secret.
    const secret = createSecretKey(Buffer.from(JSON.stringify(brokerJwk)));
    const hs = await new SignJWT({ grants: ['g1'], jti: 'y' })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: 'broker-1' })
      .setIssuer(issuer)
      .setSubject('alice')
      .setAudience(AUD)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(secret);
    expect(await v.verify(bearer(hs))).toMatchObject({ ok: false, reason: 'invalid_token' });
    const attacker = await generateKeyPair('ES256');
    expect(await v.verify(bearer(await token({}, { key: attacker.privateKey })))).toMatchObject({
      reason: 'invalid_token',
    });
    // Same issuer, same key, but an ID token (typ JWT) is not an access token (RFC 9068 §4).
    expect(await v.verify(bearer(await token({}, { typ: 'JWT' })))).toMatchObject({
      reason: 'invalid_token',
    });
  });

  it('a DPoP-bound token needs scheme DPoP and one fresh proof from the bound key, used once', async () => {
    const v = verifier();
    const t = await token({ cnf: { jkt } });
    const p = await proof(t);
    expect(await v.verify(bound(t, p))).toMatchObject({ ok: true, token: { jkt } });
    expect(await v.verify(bound(t, p))).toMatchObject({ ok: false, reason: 'dpop_replay' });
    expect(await v.verify(bearer(t))).toMatchObject({ reason: 'dpop_required' });
    expect(await v.verify(bound(t, undefined))).toMatchObject({ reason: 'dpop_required' });
    expect(await v.verify(bound(t, [await proof(t), await proof(t)]))).toMatchObject({
      reason: 'dpop_required',
    });
    const thief = await generateKeyPair('ES256');
    expect(await v.verify(bound(t, await proof(t, { key: thief })))).toMatchObject({
      reason: 'invalid_dpop_proof',
      description: 'the DPoP proof is not from the bound key',
    });
    for (const [bad, description] of [
      [{ htm: 'POST' }, /htm/],
      [{ htu: `${AUD}/v1/other` }, /htu/],
      [{ iat: Math.floor(clock / 1000) - 3600 }, /iat/],
      [{ ath: 'x' }, /ath/],
    ] as const) {
      const r = await v.verify(bound(t, await proof(t, bad)));
      expect(r).toMatchObject({ ok: false, reason: 'invalid_dpop_proof' });
      expect(r.ok === false && r.description).toMatch(description);
      expect(r.ok === false && r.wwwAuthenticate).toMatch(
        /^DPoP .*error="invalid_dpop_proof".*algs="ES256 EdDSA"/,
      );
    }
    // The query string is not part of htu (RFC 9449 §4.3 step 9).
    expect(await v.verify(bound(t, await proof(t, { htu: `${AUD}/v1/models` })))).toMatchObject({ ok: true });
  });

  it('an unbound token is refused with scheme DPoP, and by a service that requires DPoP', async () => {
    const t = await token();
    expect(await verifier().verify(bound(t, await proof(t)))).toMatchObject({ reason: 'invalid_token' });
    expect(await verifier({ requireDpop: true }).verify(bearer(t))).toMatchObject({
      reason: 'dpop_required',
    });
  });

  it('refuses revoked tokens within the polling interval, and fails closed when the denylist is stale', async () => {
    const v = verifier({ denylistIntervalMs: 10_000, denylistMaxStalenessMs: 60_000 });
    const t = await token();
    expect((await v.verify(bearer(t))).ok).toBe(true);
    const jti = JSON.parse(Buffer.from(t.split('.')[1] ?? '', 'base64url').toString()) as { jti: string };
    state.revoked = [jti.jti];
    // Within the interval the cached list is used (that is the documented staleness bound)…
    expect((await v.verify(bearer(t))).ok).toBe(true);
    // …and once it is older than the interval the next answer waits for a fresh list.
    clock += 10_000;
    expect(await v.verify(bearer(t))).toMatchObject({ ok: false, reason: 'revoked', status: 401 });
    expect((await v.verify(bearer(await token()))).ok).toBe(true);

    // The broker stops answering: the old list serves until it is a minute old, then 503.
    state.denylistUp = false;
    clock += 30_000;
    expect((await v.verify(bearer(await token()))).ok).toBe(true);
    clock += 31_000;
    expect(await v.verify(bearer(await token()))).toMatchObject({
      ok: false,
      reason: 'denylist_unavailable',
      status: 503,
    });
    state.denylistUp = true;
    clock += 2_000;
    expect((await v.verify(bearer(await token()))).ok).toBe(true);
  });

  it('one denylist fetch serves concurrent checks', async () => {
    const v = verifier();
    const tokens = await Promise.all([token(), token(), token(), token()]);
    const results = await Promise.all(tokens.map((t) => v.verify(bearer(t))));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(state.denylistHits).toBe(1);
  });
});
