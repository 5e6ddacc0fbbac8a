import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jitWorld, type JitWorld, type Person } from '../jit/jitWorld.test-support.js';
import { makeAlert, makeLock } from '../store/alertStoreConformance.js';
import { keyTouch, ORIGIN, signInToPages, type AdminBrowser } from './adminSession.test-support.js';

const internal = { type: 'Role', id: 'ml-researcher' };
const reason = 'tune the ranking model on internal data';

interface Case {
  name: string;
  /** The registered route (Fastify's pattern) this case attacks. */
  route: string;
  path: () => string;
  form: () => Record<string, unknown>;
  /** JSON ceremony routes get JSON; forms get urlencoded. */
  json?: boolean;
  /** The state this route would change, read back. */
  state: () => Promise<unknown>;
  /** What a legitimate request answers (proves the attack's body was otherwise valid). */
  ok: number;
  /** Who is signed in: the admin, or a data steward (eligible to approve the restricted requests). */
  as?: 'approver';
}

/** Every state-changing route the Fastify instance has under /admin, read from its route table. */
function stateChangingAdminRoutes(app: FastifyInstance): string[] {
  const found: string[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:│ {3}| {4})*)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? '').length / 4;
    const path = `${depth === 0 ? '' : (stack[depth - 1] ?? '')}${m[2] ?? ''}`;
    stack[depth] = path;
    stack.length = depth + 1;
    const methods = (m[3] ?? '').split(', ');
    if (path.startsWith('/admin') && methods.some((x) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(x)))
      found.push(path);
  }
  return found.sort();
}

/**
 * Every state-changing admin route, attacked the ways a cross-site page (or a stolen cookie
 * without the page) could: no token, a wrong token, a foreign Origin, a cross-site fetch, and no
 * session cookie at all (what SameSite=Strict leaves a cross-site request). Each attack is refused
 * and changes nothing (the audit head does not move either); then the same request, made properly,
 * works.
 */
describe('admin pages: CSRF on every state-changing route', () => {
  let w: JitWorld;
  let ada: Person;
  let carl: Person;
  let tina: Person;
  let bob: Person;
  let admin: AdminBrowser;
  let approver: AdminBrowser;
  let requestId = '';
  let denyId = '';
  let approveForm: Record<string, unknown> = {};
  let grantId = '';
  let campaignId = '';
  let alertId = '';
  let lockId = '';
  let unlockForm: Record<string, string> = {};

  beforeEach(async () => {
    w = await jitWorld();
    ada = await w.person('ada', ['admin']);
    carl = await w.person('carl', ['ml-engineers']);
    tina = await w.person('tina', ['team-leads']);
    const first = await w.call(carl, 'POST', '/api/v1/requests', {
      target: internal,
      durationMinutes: 60,
      reason,
    });
    const firstId = (first.body['request'] as { id: string }).id;
    const approved = await w.approve(tina, firstId);
    grantId = (approved.body['grant'] as { id: string }).id;
    expect((await w.call(carl, 'POST', `/api/v1/grants/${grantId}/activate`)).status).toBe(200);
    const second = await w.call(carl, 'POST', '/api/v1/requests', {
      target: { type: 'Role', id: 'restricted-data-reader' },
      durationMinutes: 30,
      reason,
    });
    requestId = (second.body['request'] as { id: string }).id;
    const erin = await w.person('erin', ['ml-engineers']);
    const third = await w.call(erin, 'POST', '/api/v1/requests', {
      target: { type: 'Role', id: 'restricted-data-reader' },
      durationMinutes: 30,
      reason,
    });
    denyId = (third.body['request'] as { id: string }).id;
    await w.person('dora');
    bob = await w.person('bob', ['data-stewards']);
    admin = await signInToPages(w, ada);
    approver = await signInToPages(w, bob);
    alertId = makeAlert({ userId: 'carl' }).id;
    await w.broker.store.createAlert(makeAlert({ id: alertId, userId: 'carl', dedupeKey: `t:${alertId}` }));
  });
  afterEach(async () => w.close());

  const store = () => w.broker.store;
  const browserOf = (c: Case) => (c.as === 'approver' ? approver : admin);
  const attack = async (c: Case, how: 'none' | 'wrong' | 'origin' | 'null' | 'site' | 'cookieless') => {
    const form: Record<string, unknown> = { ...c.form() };
    const { cookie } = browserOf(c);
    const headers: Record<string, string> = {};
    if (how === 'none') delete form['csrf'];
    if (how === 'wrong') form['csrf'] = 'A'.repeat(43);
    if (how === 'origin') headers['origin'] = 'https://evil.example';
    if (how === 'site') headers['sec-fetch-site'] = 'cross-site';
    // An opaque origin (sandboxed frame, data: URL) without the browser's same-origin fetch metadata.
    if (how === 'null') Object.assign(headers, { origin: 'null', 'sec-fetch-site': 'cross-site' });
    if (how === 'cookieless') headers['cookie'] = '';
    const res = await w.broker.app.inject({
      method: 'POST',
      url: c.path(),
      headers: c.json
        ? { 'content-type': 'application/json', origin: ORIGIN, cookie, ...headers }
        : {
            'content-type': 'application/x-www-form-urlencoded',
            origin: ORIGIN,
            'sec-fetch-site': 'same-origin',
            cookie,
            ...headers,
          },
      payload: c.json ? form : new URLSearchParams(form as Record<string, string>).toString(),
    });
    return res.statusCode;
  };

  it('refuses every attack on every route and changes nothing; the proper request works', async () => {
    const cases: Case[] = [
      {
        name: 'approval challenge (key touch)',
        as: 'approver',
        json: true,
        route: '/admin/requests/:id/approve/options',
        path: () => `/admin/requests/${requestId}/approve/options`,
        form: () => ({ csrf: approver.csrf }),
        state: async () => (await store().oidcFind('ApprovalChallenge', `${requestId}:bob`)) === undefined,
        ok: 200,
      },
      {
        name: 'approve a request (key touch)',
        as: 'approver',
        json: true,
        route: '/admin/requests/:id/approve',
        path: () => `/admin/requests/${requestId}/approve`,
        form: () => approveForm,
        state: async () => ({
          status: (await store().getAccessRequest(requestId))?.status,
          approvals: (await store().listApprovals(requestId)).length,
          challenge: (await store().oidcFind('ApprovalChallenge', `${requestId}:bob`)) !== undefined,
        }),
        ok: 200,
      },
      {
        name: 'deny a request',
        as: 'approver',
        route: '/admin/requests/:id/deny',
        path: () => `/admin/requests/${denyId}/deny`,
        form: () => ({ csrf: approver.csrf, reason: 'not needed for this task' }),
        state: async () => (await store().getAccessRequest(denyId))?.status,
        ok: 303,
      },
      {
        name: 'revoke a grant',
        route: '/admin/grants/:id/revoke',
        path: () => `/admin/grants/${grantId}/revoke`,
        form: () => ({ csrf: admin.csrf, reason: 'left the project' }),
        state: async () => (await store().getGrant(grantId))?.status,
        ok: 303,
      },
      {
        name: 'lock a device',
        route: '/admin/devices/:id/status',
        path: () => `/admin/devices/${carl.deviceId}/status`,
        form: () => ({ csrf: admin.csrf, action: 'lock', reason: 'laptop reported lost' }),
        state: async () => (await store().getDevice(carl.deviceId))?.status,
        ok: 303,
      },
      {
        name: 'acknowledge an alert',
        route: '/admin/alerts/:id/ack',
        path: () => `/admin/alerts/${alertId}/ack`,
        form: () => ({ csrf: admin.csrf, note: 'looked into it' }),
        state: async () => (await store().getAlert(alertId))?.status,
        ok: 303,
      },
      {
        name: 'lock a user',
        route: '/admin/users/:id/lock',
        path: () => '/admin/users/tina/lock',
        form: () => ({ csrf: admin.csrf, reason: 'suspicious activity reported' }),
        state: async () => (await store().getUser('tina'))?.status,
        ok: 303,
      },
      {
        name: 'unlock challenge (key touch)',
        json: true,
        route: '/admin/locks/:id/unlock/options',
        path: () => `/admin/locks/${lockId}/unlock/options`,
        form: () => ({ csrf: admin.csrf }),
        state: async () => (await store().oidcFind('UnlockChallenge', `${lockId}:ada`)) === undefined,
        ok: 200,
      },
      {
        name: 'unlock (key touch)',
        json: true,
        route: '/admin/locks/:id/unlock',
        path: () => `/admin/locks/${lockId}/unlock`,
        form: () => unlockForm,
        state: async () => (await store().getLock(lockId))?.unlockedAt ?? null,
        ok: 200,
      },
      {
        name: 'verify the audit chain',
        route: '/admin/audit/verify',
        path: () => '/admin/audit/verify',
        form: () => ({ csrf: admin.csrf }),
        state: async () =>
          (await admin.get('/admin/audit')).body.includes('Not verified since the broker started'),
        ok: 303,
      },
      {
        name: 'start an access review',
        route: '/admin/reviews',
        path: () => '/admin/reviews',
        form: () => ({ csrf: admin.csrf, name: 'attack' }),
        state: async () => (await store().listReviewCampaigns({ limit: 5 })).length,
        ok: 303,
      },
      {
        name: 'decide a review item',
        route: '/admin/reviews/:id/decide',
        path: () => `/admin/reviews/${campaignId}/decide`,
        form: () => ({ csrf: admin.csrf, userId: 'tina', role: 'team-leads', decision: 'remove' }),
        state: async () => store().listMemberships('tina'),
        ok: 303,
      },
      {
        name: 'sign out',
        route: '/admin/sign-out',
        path: () => '/admin/sign-out',
        form: () => ({ csrf: admin.csrf }),
        state: async () => (await admin.get('/admin')).status,
        ok: 303,
      },
    ];
    // Every state-changing /admin route the server registers is attacked here or in the sign-in
    // case below: a new route without a CSRF case fails this test. (The /api/v1/admin routes take
    // a DPoP-bound bearer token, never a cookie, so a cross-site page has nothing to ride.)
    const signIn = ['/admin/sign-in', '/admin/sign-in/options'];
    await w.broker.app.ready();
    expect(stateChangingAdminRoutes(w.broker.app)).toEqual([...cases.map((c) => c.route), ...signIn].sort());
    for (const c of cases) {
      if (c.name === 'approve a request (key touch)') {
        // A real touch of bob's key over the challenge the proper options request issued.
        const found = await store().oidcFind('ApprovalChallenge', `${requestId}:bob`);
        approveForm = { csrf: approver.csrf, response: keyTouch(bob, String(found?.payload['challenge'])) };
      }
      if (c.name === 'unlock challenge (key touch)') {
        // An automatic lock (a detector's): any admin but the locked person may unlock it.
        const lock = makeLock({ userId: 'dora', lockedBy: null });
        await store().createLock(lock);
        await store().setUserStatus('dora', 'locked');
        lockId = lock.id;
      }
      if (c.name === 'unlock (key touch)') {
        // A real touch over the challenge the proper options request issued.
        const found = await store().oidcFind('UnlockChallenge', `${lockId}:ada`);
        unlockForm = {
          csrf: admin.csrf,
          reason: 'identity confirmed by phone',
          response: keyTouch(ada, String(found?.payload['challenge'])) as unknown as string, // sent as JSON: the object itself
        };
      }
      if (c.name === 'decide a review item') {
        const [campaign] = await store().listReviewCampaigns({ limit: 1 });
        campaignId = campaign?.id ?? '';
      }
      const before = await c.state();
      const head = await store().auditHead();
      for (const how of ['none', 'wrong', 'origin', 'null', 'site', 'cookieless'] as const) {
        const status = await attack(c, how);
        expect([401, 403], `${c.name}: ${how} -> ${status}`).toContain(status);
      }
      // Refused before anything ran: no state, no audit record (no decision, no refusal either),
      // and a key-touch challenge is still there for the proper request.
      expect(await c.state(), c.name).toEqual(before);
      expect((await store().auditHead()).seq, `${c.name}: nothing recorded`).toBe(head.seq);
      const b = browserOf(c);
      const proper = c.json
        ? (await b.postJson(c.path(), c.form())).status
        : (await b.post(c.path(), c.form() as Record<string, string>)).status;
      expect(proper, `${c.name}: proper request`).toBe(c.ok);
      expect(await c.state(), `${c.name}: changed`).not.toEqual(before);
    }
    // What the approver's proper requests did, and nothing more.
    expect(await store().getAccessRequest(requestId)).toMatchObject({ status: 'pending' });
    expect(await store().listApprovals(requestId)).toMatchObject([{ approverId: 'bob' }]);
    expect((await store().getAccessRequest(denyId))?.status).toBe('denied');
  });

  it('refuses every attack on the sign-in ceremony (options and the final key touch); the proper one signs in', async () => {
    const page = await w.broker.app.inject({ method: 'GET', url: '/admin/sign-in' });
    const token = /sr_csrf=([^;]+)/.exec(String(page.headers['set-cookie']))?.[1] ?? '';
    const good = { origin: ORIGIN, cookie: `sr_csrf=${token}`, 'sec-fetch-site': 'same-origin' };
    const variants: Array<[string, Record<string, string>, string]> = [
      ['no cookie token', { ...good, cookie: '' }, token],
      ['wrong token', good, 'B'.repeat(43)],
      ['foreign Origin', { ...good, origin: 'https://evil.example' }, token],
      ['opaque origin, cross-site', { ...good, origin: 'null', 'sec-fetch-site': 'cross-site' }, token],
      ['cross-site fetch', { ...good, 'sec-fetch-site': 'cross-site' }, token],
    ];
    const post = (url: string, headers: Record<string, string>, payload: Record<string, unknown>) =>
      w.broker.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', ...headers },
        payload,
      });
    for (const [name, headers, csrf] of variants)
      expect((await post('/admin/sign-in/options', headers, { csrf })).statusCode, name).toBe(403);
    const options = await post('/admin/sign-in/options', good, { csrf: token });
    expect(options.statusCode).toBe(200);
    const response = keyTouch(ada, (options.json() as { challenge: string }).challenge);
    const head = await store().auditHead();
    for (const [name, headers, csrf] of variants) {
      const res = await post('/admin/sign-in', headers, { csrf, response });
      expect(res.statusCode, name).toBe(403);
      expect(String(res.headers['set-cookie'] ?? ''), name).not.toContain('sr_page=');
    }
    // No login (neither success nor failure) was recorded, and the challenge was not used up.
    expect((await store().auditHead()).seq).toBe(head.seq);
    const done = await post('/admin/sign-in', good, { csrf: token, response });
    expect(done.statusCode).toBe(200);
    expect(String(done.headers['set-cookie'])).toMatch(/sr_page=[A-Za-z0-9_-]{43};/);
    const [login] = await store().readAudit(head.seq + 1, 1);
    expect(login).toMatchObject({ activity: 'login', statusId: 1, actor: { userId: 'ada' } });
  });
});
