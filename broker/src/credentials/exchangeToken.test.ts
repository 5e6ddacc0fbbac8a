import { createServiceTokenVerifier } from '@strongroom/shared/service-auth/createServiceTokenVerifier.js';
import { randomUUID } from 'node:crypto';
import { decodeJwt, exportJWK, SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { jitWorld, type JitWorld, type Person } from '../jit/jitWorld.test-support.js';
import { postTokenWithDpop } from '../oidc/refreshWithDpop.test-support.js';
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from './tokenExchangeParams.js';

const reason = 'train the churn model on the new registry build';
const REGISTRY = 'https://model-registry.ml.internal';

/** `fetch` for the verifier that reaches the in-process broker (JWKS, denylist) through inject(). */
function injectFetch(app: FastifyInstance): typeof fetch {
  return (async (input: string | URL | Request) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const res = await app.inject({ method: 'GET', url: `${url.pathname}${url.search}` });
    return new Response(res.body, {
      status: res.statusCode,
      headers: { 'content-type': String(res.headers['content-type'] ?? 'application/json') },
    });
  }) as typeof fetch;
}

describe('token exchange (RFC 8693) at the token endpoint (real broker, SQLite, default bundle)', () => {
  let w: JitWorld;
  let alice: Person; // ml-engineers: may request ml-researcher (covers model-registry, ml-git)
  let bob: Person; // team-leads: approves internal roles
  let dave: Person; // ml-engineers without any grant

  beforeEach(async () => {
    w = await jitWorld();
    alice = await w.person('alice', ['ml-engineers']);
    bob = await w.person('bob', ['team-leads']);
    dave = await w.person('dave', ['ml-engineers']);
  });
  afterEach(async () => w.close());

  /** An active grant of ml-researcher for `p` (alice unless said), approved by bob. */
  const activeGrant = async (minutes = 60, p: Person = alice): Promise<string> => {
    const created = await w.call(p, 'POST', '/api/v1/requests', {
      target: { type: 'Role', id: 'ml-researcher' },
      durationMinutes: minutes,
      reason,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = (created.body['request'] as { id: string }).id;
    const approved = await w.approve(bob, id);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const grantId = (approved.body['grant'] as { id: string }).id;
    expect((await w.call(p, 'POST', `/api/v1/grants/${grantId}/activate`)).status).toBe(200);
    return grantId;
  };

  const exchange = (p: Person, params: Record<string, string> = {}, key = p.key) =>
    postTokenWithDpop(
      w.broker,
      {
        grant_type: TOKEN_EXCHANGE_GRANT,
        subject_token: p.token,
        subject_token_type: ACCESS_TOKEN_TYPE,
        audience: 'model-registry',
        ...params,
      },
      key.keyPair,
      Math.floor(w.broker.clock.now / 1000),
    );

  const issueAudits = async () => (await w.auditNames()).filter((a) => a.activity === 'credential.issue');

  const verifierFor = (audience: string) =>
    createServiceTokenVerifier({
      issuer: w.broker.issuer,
      audience,
      fetch: injectFetch(w.broker.app),
      now: () => w.broker.clock.now,
      denylistIntervalMs: 0,
    });

  it('issues a DPoP-bound JWT for a covered service: aud, grants, cnf.jkt, lifetime; ledger and audit', async () => {
    const grantId = await activeGrant();
    const r = await exchange(alice);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: 'DPoP',
      audience: REGISTRY,
      grant_id: grantId,
    });
    expect(r.body['expires_in']).toBeGreaterThan(14 * 60);
    expect(r.body['expires_in']).toBeLessThanOrEqual(15 * 60);
    const token = r.body['access_token'] as string;
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      iss: w.broker.issuer,
      sub: 'alice',
      aud: REGISTRY,
      grants: [grantId],
      cnf: { jkt: alice.key.thumbprint },
      client_id: 'strongroom-cli',
    });

    const ledger = await w.broker.store.getIssuedCredential(claims.jti as string);
    expect(ledger).toMatchObject({
      kind: 'service-token',
      userId: 'alice',
      deviceId: alice.deviceId,
      grantId,
      audience: REGISTRY,
      revokedAt: null,
    });
    expect(await issueAudits()).toMatchObject([
      {
        statusId: 1,
        data: { kind: 'service-token', credentialId: claims.jti, grantId, service: 'model-registry' },
      },
    ]);
    // Never the token itself in the audit log.
    expect(JSON.stringify(await w.auditNames())).not.toContain(token);

    // The shared verifier accepts it with a proof from alice's key, and only then.
    const verifier = verifierFor(REGISTRY);
    const url = `${REGISTRY}/v1/models`;
    const proof = await w.broker.proof(alice.key, { htm: 'GET', htu: url, accessToken: token });
    const ok = await verifier.verify({ authorization: `DPoP ${token}`, dpop: proof, method: 'GET', url });
    expect(ok).toMatchObject({ ok: true, token: { subject: 'alice', grants: [grantId] } });
    const bearer = await verifier.verify({
      authorization: `Bearer ${token}`,
      dpop: undefined,
      method: 'GET',
      url,
    });
    expect(bearer).toMatchObject({ ok: false, reason: 'dpop_required' });
    const elsewhere = await verifierFor('https://experiments.ml.internal').verify({
      authorization: `DPoP ${token}`,
      dpop: await w.broker.proof(alice.key, { htm: 'GET', htu: url, accessToken: token }),
      method: 'GET',
      url,
    });
    expect(elsewhere).toMatchObject({ ok: false, reason: 'wrong_audience' });
  });

  it('issues a Bearer token (no cnf) for a service that cannot check proofs (git), capped at the grant end', async () => {
    const grantId = await activeGrant(5);
    const r = await exchange(alice, { audience: 'https://git.ml.internal', grant_id: grantId });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ token_type: 'Bearer', audience: 'https://git.ml.internal' });
    expect(r.body['expires_in']).toBeLessThanOrEqual(5 * 60);
    const claims = decodeJwt(r.body['access_token'] as string);
    expect(claims['cnf']).toBeUndefined();
    const grant = (await w.broker.store.getGrant(grantId)) ?? { expiresAt: 0 };
    expect((claims.exp as number) * 1000).toBeLessThanOrEqual(grant.expiresAt ?? 0);
    expect((await w.broker.store.getIssuedCredential(claims.jti as string))?.kind).toBe('git-token');
  });

  it('dropping the grant revokes the token: the public denylist lists it and the verifier refuses it', async () => {
    const grantId = await activeGrant();
    const r = await exchange(alice);
    const token = r.body['access_token'] as string;
    const jti = decodeJwt(token).jti as string;
    const verifier = verifierFor(REGISTRY);
    const url = `${REGISTRY}/v1/models`;
    const call = async () =>
      verifier.verify({
        authorization: `DPoP ${token}`,
        dpop: await w.broker.proof(alice.key, { htm: 'GET', htu: url, accessToken: token }),
        method: 'GET',
        url,
      });
    expect((await call()).ok).toBe(true);

    expect((await w.call(alice, 'POST', `/api/v1/grants/${grantId}/drop`)).status).toBe(200);
    const list = await w.broker.app.inject({
      method: 'GET',
      url: '/api/v1/credentials/revoked?kind=service-token',
    });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject({ revoked: [{ id: jti, kind: 'service-token' }] });
    expect(await call()).toMatchObject({ ok: false, reason: 'revoked', status: 401 });
    // And no new token under the ended grant.
    expect((await exchange(alice, { grant_id: grantId })).body).toMatchObject({ error: 'invalid_request' });
  });

  it('the denylist refuses unknown kinds and fields, and needs no session', async () => {
    const bad = await w.broker.app.inject({
      method: 'GET',
      url: '/api/v1/credentials/revoked?kind=ssh-certificate',
    });
    expect(bad.statusCode).toBe(400);
    const extra = await w.broker.app.inject({ method: 'GET', url: '/api/v1/credentials/revoked?user=alice' });
    expect(extra.statusCode).toBe(400);
    const all = await w.broker.app.inject({ method: 'GET', url: '/api/v1/credentials/revoked' });
    expect(all.json()).toMatchObject({ revoked: [] });
  });

  it('refuses, with RFC 8693 / 6749 errors, audited, issuing nothing', async () => {
    await activeGrant();
    const cases: Array<[string, Promise<{ status: number; body: Record<string, unknown> }>, string, RegExp]> =
      [
        ['no grant at all', exchange(dave), 'invalid_target', /no active grant covers/],
        [
          'audience the grant does not cover',
          exchange(alice, { audience: 'notebooks' }),
          'invalid_target',
          /no active grant covers/,
        ],
        [
          'unknown audience',
          exchange(alice, { audience: 'https://evil.example' }),
          'invalid_target',
          /no service/,
        ],
        [
          'foreign or unknown grant id',
          exchange(alice, { grant_id: 'g-unknown' }),
          'invalid_request',
          /no such grant/,
        ],
        ['garbage subject token', exchange({ ...alice, token: 'not-a-token' }), 'invalid_request', /unknown/],
        [
          "someone else's token with my key",
          exchange({ ...dave, key: alice.key }, {}, alice.key),
          'invalid_dpop_proof',
          /bound to/,
        ],
        [
          'wrong subject_token_type',
          exchange(alice, { subject_token_type: 'urn:ietf:params:oauth:token-type:id_token' }),
          'invalid_request',
          /subject_token_type/,
        ],
        [
          'delegation',
          exchange(alice, { actor_token: alice.token, actor_token_type: ACCESS_TOKEN_TYPE }),
          'invalid_request',
          /actor_token/,
        ],
        ['audience and resource', exchange(alice, { resource: REGISTRY }), 'invalid_target', /not both/],
        ['no audience', exchange(alice, { audience: '' }), 'invalid_target', /audience is required/],
      ];
    for (const [name, pending, error, description] of cases) {
      const r = await pending;
      expect(r.status, name).toBe(400);
      expect(r.body['error'], name).toBe(error);
      expect(String(r.body['error_description']), name).toMatch(description);
    }
    const audits = await issueAudits();
    expect(audits.filter((a) => a.statusId === 2)).toHaveLength(cases.length);
    expect(audits.filter((a) => a.statusId === 1)).toHaveLength(0);
    expect(
      audits.find((a) => a.data?.['detail'] && String(a.data['detail']).includes('no service'))?.data,
    ).toMatchObject({
      audience: 'https://evil.example',
      reason: 'invalid_target',
    });
  });

  it("refuses someone else's active grant as if it did not exist", async () => {
    await activeGrant();
    const davesGrant = await activeGrant(60, dave);
    const r = await exchange(alice, { grant_id: davesGrant });
    expect(r).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', error_description: 'no such grant' },
    });
    expect((await exchange(dave, { grant_id: davesGrant })).status).toBe(200);
  });

  it('refuses a grant whose time is up, from stored times (no sweeper ran)', async () => {
    const grantId = await activeGrant(1);
    expect((await exchange(alice)).status).toBe(200);
    w.broker.clock.now += 2 * 60_000;
    expect((await exchange(alice, { grant_id: grantId })).body).toMatchObject({
      error: 'invalid_request',
      error_description: `grant ${grantId} is not active (it is ended)`,
    });
    expect((await exchange(alice)).body).toMatchObject({ error: 'invalid_target' });
  });

  it('refuses a replayed token-request DPoP proof', async () => {
    await activeGrant();
    const jwk = await exportJWK(alice.key.keyPair.publicKey);
    const send = (proof: string) =>
      w.broker.app.inject({
        method: 'POST',
        url: '/token',
        headers: { host: 'localhost:7700', 'content-type': 'application/x-www-form-urlencoded', dpop: proof },
        payload: new URLSearchParams({
          client_id: 'strongroom-cli',
          grant_type: TOKEN_EXCHANGE_GRANT,
          subject_token: alice.token,
          subject_token_type: ACCESS_TOKEN_TYPE,
          audience: 'model-registry',
        }).toString(),
      });
    const proof = (nonce?: string) =>
      new SignJWT({
        htm: 'POST',
        htu: `${w.broker.issuer}/token`,
        jti: randomUUID(),
        ...(nonce ? { nonce } : {}),
      })
        .setIssuedAt()
        .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk })
        .sign(alice.key.keyPair.privateKey);
    const first = await send(await proof());
    expect(first.json()).toMatchObject({ error: 'use_dpop_nonce' });
    const once = await proof(String(first.headers['dpop-nonce']));
    expect((await send(once)).statusCode).toBe(200);
    const replayed = await send(once);
    expect(replayed.statusCode).toBe(400);
    expect(replayed.json()).toMatchObject({
      error: 'invalid_dpop_proof',
      error_description: 'the DPoP proof was already used (jti replay)',
    });
    expect((await issueAudits()).map((a) => a.statusId)).toEqual([1, 2]);
  });

  it('refuses an exchange without a DPoP proof (possession of the key is required)', async () => {
    await activeGrant();
    const res = await w.broker.app.inject({
      method: 'POST',
      url: '/token',
      headers: { host: 'localhost:7700', 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        client_id: 'strongroom-cli',
        grant_type: TOKEN_EXCHANGE_GRANT,
        subject_token: alice.token,
        subject_token_type: ACCESS_TOKEN_TYPE,
        audience: 'model-registry',
      }).toString(),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_dpop_proof' });
    expect((await issueAudits()).map((a) => a.statusId)).toEqual([2]);
  });
});
