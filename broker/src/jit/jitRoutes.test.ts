import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadBrokerConfig } from '../config/loadBrokerConfig.js';
import { createBrokerServer } from '../http/createBrokerServer.js';
import { oidcAdapter } from '../store/oidcAdapter.js';
import { jitWorld, type JitWorld, type Person } from './jitWorld.test-support.js';

const MIN = 60_000;
const reason = 'investigate churn model drift on customer data';
const restricted = { type: 'Role', id: 'restricted-data-reader' };
const readPii = { action: 'read', resource: { type: 'Dataset', id: 'customer-pii' } };

describe('JIT elevation routes (real broker, real SQLite, default bundle)', () => {
  let w: JitWorld;
  let alice: Person; // requester (ml-engineers)
  let bob: Person; // approver (data-stewards)
  let carol: Person; // approver (data-stewards)
  let dave: Person; // ml-engineer, not an approver

  beforeEach(async () => {
    w = await jitWorld();
    alice = await w.person('alice', ['ml-engineers']);
    bob = await w.person('bob', ['data-stewards']);
    carol = await w.person('carol', ['data-stewards']);
    dave = await w.person('dave', ['ml-engineers']);
  });
  afterEach(async () => w.close());

  const request = async (p: Person, body: Record<string, unknown> = {}) =>
    w.call(p, 'POST', '/api/v1/requests', { target: restricted, durationMinutes: 60, reason, ...body });
  const requestId = async (p: Person = alice) => {
    const r = await request(p);
    expect(r.status).toBe(201);
    return (r.body['request'] as { id: string }).id;
  };
  const approved = async () => {
    const id = await requestId();
    expect((await w.approve(bob, id)).status).toBe(200);
    const second = await w.approve(carol, id);
    expect(second.status).toBe(200);
    return { id, grantId: (second.body['grant'] as { id: string }).id };
  };
  const authorize = async (p: Person) => w.call(p, 'POST', '/api/v1/authorize', readPii);

  it('lists what the caller may request, with max duration and approvers needed', async () => {
    const r = await w.call(alice, 'GET', '/api/v1/targets');
    expect(r.status).toBe(200);
    const targets = r.body['targets'] as Array<{
      id: string;
      maxDurationMinutes: number;
      approvalsRequired: number;
    }>;
    expect(targets.find((t) => t.id === 'restricted-data-reader')).toMatchObject({
      maxDurationMinutes: 120,
      approvalsRequired: 2,
    });
    expect(targets.find((t) => t.id === 'ml-researcher')).toMatchObject({ approvalsRequired: 1 });
    expect(targets.some((t) => t.id === 'gpu-breakglass')).toBe(false);
    expect((await w.call(bob, 'GET', '/api/v1/targets')).body['targets']).toEqual([]);
  });

  it('does the whole loop: request, two key-touch approvals, activation, allow, and expiry from stored times', async () => {
    expect((await authorize(alice)).body).toMatchObject({ decision: 'deny' });
    const id = await requestId();
    const review = await w.call(bob, 'GET', '/api/v1/requests?toReview=1');
    expect((review.body['requests'] as Array<{ id: string }>).map((r) => r.id)).toEqual([id]);
    expect((await w.call(dave, 'GET', '/api/v1/requests?toReview=1')).body['requests']).toEqual([]);

    const first = await w.approve(bob, id);
    expect(first.status).toBe(200);
    expect(first.body['request']).toMatchObject({ status: 'pending', approvals: [{ approverId: 'bob' }] });
    expect(first.body['grant']).toBeNull();
    const second = await w.approve(carol, id);
    expect(second.body['request']).toMatchObject({ status: 'approved' });
    const grant = second.body['grant'] as { id: string; state: string };
    expect(grant.state).toBe('approved');
    // Not in force before activation.
    expect((await authorize(alice)).body['decision']).toBe('deny');

    w.broker.clock.now += 5 * MIN;
    const activated = await w.call(alice, 'POST', `/api/v1/grants/${grant.id}/activate`);
    expect(activated.status).toBe(200);
    expect(activated.body['grant']).toMatchObject({
      state: 'active',
      expiresAt: w.broker.clock.now + 60 * MIN,
    });
    const allowed = await authorize(alice);
    expect(allowed.body).toMatchObject({
      decision: 'allow',
      determiningPolicies: ['restricted-active-grant'],
    });
    expect(typeof allowed.body['bundleHash']).toBe('string');

    // The clock moves past the end: no sweeper has run, and the grant already does not allow.
    w.broker.clock.now += 60 * MIN;
    await w.attest(alice);
    const denied = await authorize(alice);
    expect(denied.body['decision']).toBe('deny');
    expect((denied.body['reasons'] as string[]).join()).toMatch(/needs an active grant/);
    const grants = await w.call(alice, 'GET', '/api/v1/grants');
    const [ended] = grants.body['grants'] as Array<Record<string, unknown>>;
    expect(ended).toMatchObject({ id: grant.id, state: 'ended', endReason: 'expired' });
    expect(ended?.['endedAt']).toBe(ended?.['expiresAt']); // ended at its stored time, not when noticed
    expect(await w.sweep()).toBe(1);
    expect(await w.sweep()).toBe(0);

    const audit = await w.auditNames();
    const names = audit.map((a) => a.activity);
    for (const n of ['jit.request', 'jit.approve', 'jit.grant.activate', 'authorize', 'jit.grant.end'])
      expect(names).toContain(n);
    expect(audit.filter((a) => a.activity === 'jit.approve' && a.statusId === 1)).toHaveLength(2);
    expect(audit.find((a) => a.activity === 'jit.grant.activate')?.classUid).toBe(3003);
    expect(audit.find((a) => a.activity === 'jit.request')?.classUid).toBe(6003);
    expect(
      audit
        .filter((a) => a.activity === 'authorize')
        .every((a) => typeof a.data?.['bundleHash'] === 'string'),
    ).toBe(true);
  });

  it('refuses self-approval, even with a valid assertion from the requester', async () => {
    const id = await requestId();
    const r = await w.approve(alice, id);
    expect(r).toMatchObject({ status: 403, body: { error: 'self_approval' } });
    const assertion = alice.authenticator.assert({
      challenge: 'AAAA',
      origin: 'http://localhost:7700',
      rpId: 'localhost',
      counter: 5,
    });
    expect((await w.call(alice, 'POST', `/api/v1/requests/${id}/approve`, { assertion })).body['error']).toBe(
      'self_approval',
    );
    expect(
      (await w.auditNames()).filter((a) => a.activity === 'jit.approve' && a.statusId === 2).length,
    ).toBeGreaterThan(0);
  });

  it('counts one approver once', async () => {
    const id = await requestId();
    expect((await w.approve(bob, id)).status).toBe(200);
    const again = await w.approve(bob, id);
    expect(again).toMatchObject({ status: 409, body: { error: 'duplicate_approval' } });
    const view = await w.call(alice, 'GET', '/api/v1/requests');
    expect(view.body['requests']).toMatchObject([
      { id, status: 'pending', approvals: [{ approverId: 'bob' }] },
    ]);
  });

  it('refuses an approver who is not eligible by policy', async () => {
    const id = await requestId();
    const r = await w.call(dave, 'POST', `/api/v1/requests/${id}/approval-challenge`);
    expect(r).toMatchObject({ status: 403, body: { error: 'policy_denied' } });
    expect(r.body.error_description).toMatch(/needs role data-stewards/);
    const assertion = dave.authenticator.assert({
      challenge: 'AAAA',
      origin: 'http://localhost:7700',
      rpId: 'localhost',
      counter: 1,
    });
    expect((await w.call(dave, 'POST', `/api/v1/requests/${id}/approve`, { assertion })).body['error']).toBe(
      'policy_denied',
    );
  });

  it('needs a fresh key touch bound to this request: no challenge, another request, replay, no UV, old counter', async () => {
    const id1 = await requestId();
    const id2 = await requestId();
    // No challenge asked for: refused.
    const unasked = bob.authenticator.assert({
      challenge: 'AAAAAAAA',
      origin: 'http://localhost:7700',
      rpId: 'localhost',
      counter: 1,
    });
    expect(
      (await w.call(bob, 'POST', `/api/v1/requests/${id1}/approve`, { assertion: unasked })).body['error'],
    ).toBe('webauthn_failed');
    // A touch made for request 1 does not approve request 2.
    const c1 = (await w.call(bob, 'POST', `/api/v1/requests/${id1}/approval-challenge`)).body['options'] as {
      challenge: string;
    };
    await w.call(bob, 'POST', `/api/v1/requests/${id2}/approval-challenge`);
    const forOne = bob.authenticator.assert({
      challenge: c1.challenge,
      origin: 'http://localhost:7700',
      rpId: 'localhost',
      counter: 2,
    });
    expect(
      (await w.call(bob, 'POST', `/api/v1/requests/${id2}/approve`, { assertion: forOne })).body['error'],
    ).toBe('webauthn_failed');
    // ...and the challenge of request 2 was used up by that attempt.
    const fresh = await w.call(bob, 'POST', `/api/v1/requests/${id1}/approve`, { assertion: forOne });
    expect(fresh.status).toBe(200);
    // Replaying the very same assertion: the challenge is gone.
    const replay = await w.call(bob, 'POST', `/api/v1/requests/${id1}/approve`, { assertion: forOne });
    expect(replay.status).toBeGreaterThanOrEqual(400);
    // Without user verification, and with a counter that does not move forward.
    expect((await w.approve(carol, id2, { userVerified: false })).body['error']).toBe('webauthn_failed');
    expect((await w.approve(carol, id2, { counter: 1 })).status).toBe(200);
    const id3 = await requestId();
    expect((await w.approve(carol, id3, { counter: 1 })).body['error']).toBe('webauthn_failed');
    const audit = await w.auditNames();
    expect(
      audit.some(
        (a) =>
          a.activity === 'jit.approve' && a.data?.['reason'] === 'counter_regression' && a.severityId === 5,
      ),
    ).toBe(true);
  });

  it('refuses approving cancelled, denied and expired requests', async () => {
    const cancelled = await requestId();
    expect((await w.call(alice, 'POST', `/api/v1/requests/${cancelled}/cancel`)).status).toBe(200);
    expect((await w.approve(bob, cancelled)).body['error']).toBe('request_closed');

    const denied = await requestId();
    expect(
      (await w.call(dave, 'POST', `/api/v1/requests/${denied}/deny`, { reason: 'no' })).body['error'],
    ).toBe('policy_denied');
    expect(
      (await w.call(carol, 'POST', `/api/v1/requests/${denied}/deny`, { reason: 'not justified' })).status,
    ).toBe(200);
    expect((await w.approve(bob, denied)).body['error']).toBe('request_closed');

    // Made a day ago (tokens expire on the provider's real clock, so the request goes back in time
    // rather than the clock forward).
    const today = w.broker.clock.now;
    w.broker.clock.now = today - 24 * 60 * MIN + 5_000;
    const expired = await requestId();
    const challenge = (await w.call(bob, 'POST', `/api/v1/requests/${expired}/approval-challenge`)).body[
      'options'
    ] as { challenge: string };
    w.broker.clock.now = today + 5_000;
    bob.counter += 1;
    const assertion = bob.authenticator.assert({
      challenge: challenge.challenge,
      origin: 'http://localhost:7700',
      rpId: 'localhost',
      counter: bob.counter,
    });
    const late = await w.call(bob, 'POST', `/api/v1/requests/${expired}/approve`, { assertion });
    expect(late).toMatchObject({ status: 409, body: { error: 'request_closed' } });
    expect(late.body.error_description).toMatch(/expired/);
  });

  it('refuses activation after the activation window', async () => {
    const { grantId } = await approved();
    w.broker.clock.now += 61 * MIN;
    const r = await w.call(alice, 'POST', `/api/v1/grants/${grantId}/activate`);
    expect(r).toMatchObject({ status: 409, body: { error: 'grant_ended' } });
    expect(r.body.error_description).toMatch(/activation window/);
    expect((await w.call(bob, 'POST', `/api/v1/grants/${grantId}/activate`)).status).toBe(404);
  });

  it('checks reason, ticket and duration from the bundle; dry run creates nothing', async () => {
    for (const bad of ['.', '............', 'too short']) {
      const r = await request(alice, { reason: bad });
      expect(r).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    }
    expect((await request(alice, { ticket: 'not a ticket' })).body.error_description).toMatch(/ticket/);
    expect((await request(alice, { durationMinutes: 121 })).body.error_description).toMatch(
      /longer than the 120 minutes/,
    );
    expect((await request(alice, { ticket: 'ML-42' })).status).toBe(201);
    expect((await request(alice, { extra: 1 })).status).toBe(400);

    const dry = await request(dave, { dryRun: true, durationMinutes: 500 });
    expect(dry).toMatchObject({
      status: 200,
      body: { dryRun: true, allowed: false, approvalsRequired: 2, maxDurationMinutes: 120 },
    });
    expect(await request(bob, { dryRun: true })).toMatchObject({ body: { allowed: false } });
    expect(((await request(bob, { dryRun: true })).body['reasons'] as string[]).join()).toMatch(
      /ml-engineers/,
    );
    expect((await request(bob)).body['error']).toBe('policy_denied');
    expect((await w.call(dave, 'GET', '/api/v1/requests')).body['requests']).toEqual([]);
  });

  it('drop and admin revoke end grants at once; only admins revoke', async () => {
    const admin = await w.person('root', ['admin']);
    const a = await approved();
    await w.call(alice, 'POST', `/api/v1/grants/${a.grantId}/activate`);
    expect((await authorize(alice)).body['decision']).toBe('allow');
    expect((await w.call(alice, 'POST', `/api/v1/grants/${a.grantId}/drop`)).body['grant']).toMatchObject({
      state: 'ended',
      endReason: 'dropped',
    });
    expect((await authorize(alice)).body['decision']).toBe('deny');

    const b = await approved();
    await w.call(alice, 'POST', `/api/v1/grants/${b.grantId}/activate`);
    expect((await w.call(bob, 'POST', `/api/v1/grants/${b.grantId}/revoke`)).status).toBe(403);
    expect((await authorize(alice)).body['decision']).toBe('allow');
    // The refused attempt is on the record, with who tried.
    const refused = (await w.auditNames()).filter(
      (a) => a.activity === 'jit.grant.revoke' && a.statusId === 2,
    );
    expect(refused).toHaveLength(1);
    expect(refused[0]?.data).toMatchObject({ grantId: b.grantId, reason: 'not_admin' });
    const revoked = await w.call(admin, 'POST', `/api/v1/grants/${b.grantId}/revoke`, {
      reason: 'incident 7',
    });
    expect(revoked.body['grant']).toMatchObject({ state: 'ended', endReason: 'revoked' });
    expect((await authorize(alice)).body['decision']).toBe('deny');
    expect((await w.call(admin, 'POST', `/api/v1/grants/${b.grantId}/revoke`)).body['error']).toBe(
      'grant_ended',
    );
  });

  it('a posture regression suspends restricted access at once', async () => {
    const { grantId } = await approved();
    await w.call(alice, 'POST', `/api/v1/grants/${grantId}/activate`);
    expect((await authorize(alice)).body['decision']).toBe('allow');
    await w.attest(alice, { disk_encryption: 'fail' });
    const r = await authorize(alice);
    expect(r.body['decision']).toBe('deny');
    expect(r.body['reasons']).toContain('device posture: disk encryption failed');
  });

  it(
    'break-glass: self-activated for at most 30 minutes, loudly audited, reviewed once by another admin',
    { timeout: 120_000 },
    async () => {
      const sre = await w.person('sam', ['sre-oncall']);
      const r = await w.call(sre, 'POST', '/api/v1/requests', {
        target: { type: 'Role', id: 'gpu-breakglass' },
        durationMinutes: 30,
        reason: 'GPU hosts down, paging incident INC-1',
      });
      expect(r.status).toBe(201);
      expect(r.body['request']).toMatchObject({ status: 'approved', emergency: true, approvalsRequired: 0 });
      expect(r.body['grant']).toMatchObject({ state: 'active', expiresAt: w.broker.clock.now + 30 * MIN });
      const too = await w.call(sre, 'POST', '/api/v1/requests', {
        target: { type: 'Role', id: 'gpu-breakglass' },
        durationMinutes: 31,
        reason: 'GPU hosts down, paging incident INC-1',
      });
      expect(too.status).toBe(400);
      const audit = (await w.auditNames()).find((a) => a.activity === 'jit.breakglass');
      expect(audit).toMatchObject({ severityId: 4, data: { review: 'pending' } });

      // The review item: admins see it, the user cannot review their own use, another admin closes it once.
      const requestId = (r.body['request'] as { id: string }).id;
      const admin = await w.person('root', ['admin']);
      const samAdmin = await w.person('sam2', ['admin', 'sre-oncall']);
      expect((await w.call(sre, 'GET', '/api/v1/admin/break-glass')).status).toBe(403);
      const listed = await w.call(admin, 'GET', '/api/v1/admin/break-glass');
      expect((listed.body['requests'] as Array<{ id: string }>).map((x) => x.id)).toEqual([requestId]);
      const verdict = { verdict: 'justified', note: 'INC-1 confirmed, hosts were down' };
      expect(
        (await w.call(admin, 'POST', `/api/v1/admin/break-glass/${requestId}/review`, { verdict: 'ok' }))
          .status,
      ).toBe(400);
      const own = await w.call(samAdmin, 'POST', '/api/v1/requests', {
        target: { type: 'Role', id: 'gpu-breakglass' },
        durationMinutes: 5,
        reason: 'GPU hosts down, paging incident INC-2',
      });
      const ownId = (own.body['request'] as { id: string }).id;
      expect(
        (await w.call(samAdmin, 'POST', `/api/v1/admin/break-glass/${ownId}/review`, verdict)).body['error'],
      ).toBe('self_approval');
      const reviewed = await w.call(admin, 'POST', `/api/v1/admin/break-glass/${requestId}/review`, verdict);
      expect(reviewed.status).toBe(200);
      expect(
        (await w.call(admin, 'POST', `/api/v1/admin/break-glass/${requestId}/review`, verdict)).body['error'],
      ).toBe('request_closed');
      expect(
        (
          (await w.call(admin, 'GET', '/api/v1/admin/break-glass')).body['requests'] as Array<{ id: string }>
        ).map((x) => x.id),
      ).toEqual([ownId]);
      const reviews = (await w.auditNames()).filter((a) => a.activity === 'jit.breakglass.review');
      expect(reviews.map((a) => a.statusId)).toEqual([2, 1, 2]);
      expect(reviews[1]?.data).toMatchObject({ requestId, verdict: 'justified', requester: 'sam' });
      expect(
        (
          await w.call(alice, 'POST', '/api/v1/requests', {
            target: { type: 'Role', id: 'gpu-breakglass' },
            durationMinutes: 10,
            reason,
          })
        ).status,
      ).toBe(403);
    },
  );

  it('authorize: a user asks about themselves only; admins may ask about others and supply context', async () => {
    const admin = await w.person('root', ['admin']);
    expect(
      (await w.call(alice, 'POST', '/api/v1/authorize', { ...readPii, principal: { id: 'bob' } })).status,
    ).toBe(403);
    expect(
      (
        await w.call(alice, 'POST', '/api/v1/authorize', {
          ...readPii,
          context: { grants: { roles: ['restricted-data-reader'] } },
        })
      ).status,
    ).toBe(403);
    expect((await w.call(alice, 'POST', '/api/v1/authorize', { ...readPii, bogus: 1 })).status).toBe(400);
    const r = await w.call(admin, 'POST', '/api/v1/authorize', {
      ...readPii,
      principal: { id: 'alice' },
      context: { grants: { roles: ['restricted-data-reader'], assets: [] }, device: { enrolled: true } },
    });
    expect(r.status).toBe(200);
    expect(r.body['decision']).toBe('deny'); // alice's device is unknown when asked about by someone else
    const internal = await w.call(alice, 'POST', '/api/v1/authorize', {
      action: 'read',
      resource: { type: 'Model', id: 'llama-ft-internal' },
    });
    expect(internal.body).toMatchObject({
      decision: 'allow',
      determiningPolicies: ['internal-role-members'],
    });
    const rec = (await w.auditNames()).filter((a) => a.activity === 'authorize');
    expect(rec.at(-1)).toMatchObject({ classUid: 3003, data: { decision: 'allow', principal: 'alice' } });
  });

  it('admin policy reload keeps the bundle hash for the same bundle and is admin-only', async () => {
    const admin = await w.person('root', ['admin']);
    const before = (await w.call(alice, 'GET', '/api/v1/policy')).body['hash'];
    expect((await w.call(alice, 'POST', '/api/v1/admin/policy/reload')).status).toBe(403);
    const r = await w.call(admin, 'POST', '/api/v1/admin/policy/reload');
    expect(r).toMatchObject({ status: 200, body: { previousHash: before, hash: before } });
    const reloads = (await w.auditNames()).filter((a) => a.activity === 'policy.reload');
    expect(reloads.map((a) => a.statusId)).toEqual([2, 1]);
    expect(reloads[0]?.data).toMatchObject({ reason: 'not_admin' });
  });

  it('an expired grant never allows across a broker restart with the clock moved', async () => {
    // The grant is made and activated two hours ago (the provider's tokens live on the real clock).
    const today = w.broker.clock.now;
    w.broker.clock.now = today - 120 * MIN;
    const { grantId } = await approved();
    expect((await w.call(alice, 'POST', `/api/v1/grants/${grantId}/activate`)).status).toBe(200);
    expect((await authorize(alice)).body['decision']).toBe('allow');

    // A new broker process on the same database, started when the grant's hour is long over; no
    // sweeper has run and nothing in memory survived.
    w.broker.clock.now = today;
    await w.attest(alice);
    const clock = () => w.broker.clock.now;
    const restarted = await createBrokerServer({
      config: loadBrokerConfig({ port: 7700 }),
      store: w.broker.store,
      makeAdapter: (s) => oidcAdapter(s, { now: clock }),
      now: clock,
    });
    try {
      const url = `${w.broker.issuer}/api/v1/authorize`;
      const dpop = await w.broker.proof(alice.key, { htm: 'POST', htu: url, accessToken: alice.token });
      const res = await restarted.app.inject({
        method: 'POST',
        url: '/api/v1/authorize',
        headers: { authorization: `DPoP ${alice.token}`, dpop },
        payload: readPii,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ decision: 'deny' });
      expect(await w.sweep()).toBe(1);
      const grants = await w.call(alice, 'GET', '/api/v1/grants');
      const [ended] = grants.body['grants'] as Array<Record<string, unknown>>;
      expect(ended).toMatchObject({ id: grantId, state: 'ended', endReason: 'expired' });
      expect(ended?.['endedAt']).toBe(ended?.['expiresAt']); // at its stored time, not when noticed
    } finally {
      await restarted.app.close();
    }
  });

  it('approves in the browser through a one-time link (strongroom approve): page, bound challenge, single use', async () => {
    const id = await requestId();
    expect((await w.call(alice, 'POST', `/api/v1/requests/${id}/approval-link`)).body['error']).toBe(
      'self_approval',
    );
    expect((await w.call(dave, 'POST', `/api/v1/requests/${id}/approval-link`)).status).toBe(403);
    const link = await w.call(bob, 'POST', `/api/v1/requests/${id}/approval-link`);
    expect(link.status).toBe(200);
    const path = new URL(String(link.body['url'])).pathname;
    const page = await w.broker.app.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-testid="approve-key"');
    expect(page.body).toContain(reason);
    const cookie = String(page.headers['set-cookie']).split(';')[0] ?? '';
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const origin = 'http://localhost:7700';
    const post = (url: string, payload: object, csrfValue = csrf) =>
      w.broker.app.inject({
        method: 'POST',
        url,
        headers: { cookie, origin },
        payload: { csrf: csrfValue, ...payload },
      });
    expect((await post(`${path}/options`, {}, 'x'.repeat(43))).statusCode).toBe(403); // CSRF
    const options = (await post(`${path}/options`, {})).json<{ challenge: string }>();
    bob.counter += 1;
    const response = bob.authenticator.assert({
      challenge: options.challenge,
      origin,
      rpId: 'localhost',
      counter: bob.counter,
    });
    const done = await post(path, { response });
    expect(done.statusCode).toBe(200);
    expect(done.json<{ message: string }>().message).toMatch(/Approval recorded \(1 of 2\)/);
    // The link is used up.
    expect((await post(path, { response })).statusCode).toBe(404);
    expect((await w.broker.app.inject({ method: 'GET', url: path })).statusCode).toBe(404);
    const mine = await w.call(alice, 'GET', '/api/v1/requests');
    expect(mine.body['requests']).toMatchObject([{ id, approvals: [{ approverId: 'bob' }] }]);
  });
});
