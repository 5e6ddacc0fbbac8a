import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jitWorld, type JitWorld, type Person } from '../jit/jitWorld.test-support.js';
import { makeAlert, makeLock } from '../store/alertStoreConformance.js';
import { keyTouch, ORIGIN, signInToPages, type AdminBrowser } from './adminSession.test-support.js';

const internal = { type: 'Role', id: 'ml-researcher' };
const reason = 'tune the ranking model on internal data';

interface Case {
  name: string;
  path: () => string;
  form: () => Record<string, string>;
  /** JSON ceremony routes get JSON; forms get urlencoded. */
  json?: boolean;
  /** The state this route would change, read back. */
  state: () => Promise<unknown>;
  /** What a legitimate request answers (proves the attack's body was otherwise valid). */
  ok: number;
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
  let admin: AdminBrowser;
  let requestId = '';
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
    await w.person('dora');
    admin = await signInToPages(w, ada);
    alertId = makeAlert({ userId: 'carl' }).id;
    await w.broker.store.createAlert(makeAlert({ id: alertId, userId: 'carl', dedupeKey: `t:${alertId}` }));
  });
  afterEach(async () => w.close());

  const store = () => w.broker.store;
  const attack = async (c: Case, how: 'none' | 'wrong' | 'origin' | 'null' | 'site' | 'cookieless') => {
    const form = { ...c.form() };
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
        ? { 'content-type': 'application/json', origin: ORIGIN, cookie: admin.cookie, ...headers }
        : {
            'content-type': 'application/x-www-form-urlencoded',
            origin: ORIGIN,
            'sec-fetch-site': 'same-origin',
            cookie: admin.cookie,
            ...headers,
          },
      payload: c.json ? form : new URLSearchParams(form).toString(),
    });
    return res.statusCode;
  };

  it('refuses every attack on every route and changes nothing; the proper request works', async () => {
    const cases: Case[] = [
      {
        name: 'deny a request',
        path: () => `/admin/requests/${requestId}/deny`,
        form: () => ({ csrf: admin.csrf, reason: 'not needed for this task' }),
        state: async () => (await store().getAccessRequest(requestId))?.status,
        ok: 403, // ada is an admin, not an approver of restricted data: policy refuses after CSRF passes
      },
      {
        name: 'revoke a grant',
        path: () => `/admin/grants/${grantId}/revoke`,
        form: () => ({ csrf: admin.csrf, reason: 'left the project' }),
        state: async () => (await store().getGrant(grantId))?.status,
        ok: 303,
      },
      {
        name: 'lock a device',
        path: () => `/admin/devices/${carl.deviceId}/status`,
        form: () => ({ csrf: admin.csrf, action: 'lock', reason: 'laptop reported lost' }),
        state: async () => (await store().getDevice(carl.deviceId))?.status,
        ok: 303,
      },
      {
        name: 'acknowledge an alert',
        path: () => `/admin/alerts/${alertId}/ack`,
        form: () => ({ csrf: admin.csrf, note: 'looked into it' }),
        state: async () => (await store().getAlert(alertId))?.status,
        ok: 303,
      },
      {
        name: 'lock a user',
        path: () => '/admin/users/tina/lock',
        form: () => ({ csrf: admin.csrf, reason: 'suspicious activity reported' }),
        state: async () => (await store().getUser('tina'))?.status,
        ok: 303,
      },
      {
        name: 'unlock challenge (key touch)',
        json: true,
        path: () => `/admin/locks/${lockId}/unlock/options`,
        form: () => ({ csrf: admin.csrf }),
        state: async () => (await store().oidcFind('UnlockChallenge', `${lockId}:ada`)) === undefined,
        ok: 200,
      },
      {
        name: 'unlock (key touch)',
        json: true,
        path: () => `/admin/locks/${lockId}/unlock`,
        form: () => unlockForm,
        state: async () => (await store().getLock(lockId))?.unlockedAt ?? null,
        ok: 200,
      },
      {
        name: 'verify the audit chain',
        path: () => '/admin/audit/verify',
        form: () => ({ csrf: admin.csrf }),
        state: async () =>
          (await admin.get('/admin/audit')).body.includes('Not verified since the broker started'),
        ok: 303,
      },
      {
        name: 'start an access review',
        path: () => '/admin/reviews',
        form: () => ({ csrf: admin.csrf, name: 'attack' }),
        state: async () => (await store().listReviewCampaigns({ limit: 5 })).length,
        ok: 303,
      },
      {
        name: 'decide a review item',
        path: () => `/admin/reviews/${campaignId}/decide`,
        form: () => ({ csrf: admin.csrf, userId: 'tina', role: 'team-leads', decision: 'remove' }),
        state: async () => store().listMemberships('tina'),
        ok: 303,
      },
      {
        name: 'approval challenge (key touch)',
        json: true,
        path: () => `/admin/requests/${requestId}/approve/options`,
        form: () => ({ csrf: admin.csrf }),
        state: async () => (await store().oidcFind('ApprovalChallenge', `${requestId}:ada`)) === undefined,
        ok: 403, // not eligible by policy (see deny)
      },
      {
        name: 'sign out',
        path: () => '/admin/sign-out',
        form: () => ({ csrf: admin.csrf }),
        state: async () => (await admin.get('/admin')).status,
        ok: 303,
      },
    ];
    for (const c of cases) {
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
      expect(await c.state(), c.name).toEqual(before);
      expect((await store().auditHead()).seq, `${c.name}: nothing recorded`).toBe(head.seq);
      const proper = c.json
        ? (await admin.postJson(c.path(), c.form())).status
        : (await admin.post(c.path(), c.form())).status;
      expect(proper, `${c.name}: proper request`).toBe(c.ok);
      if (c.ok === 303) expect(await c.state(), `${c.name}: changed`).not.toEqual(before);
    }
  });

  it('refuses a sign-in ceremony without the double-submit token', async () => {
    const page = await w.broker.app.inject({ method: 'GET', url: '/admin/sign-in' });
    const token = /sr_csrf=([^;]+)/.exec(String(page.headers['set-cookie']))?.[1] ?? '';
    for (const [cookie, csrf, origin] of [
      ['', token, ORIGIN],
      [`sr_csrf=${token}`, 'B'.repeat(43), ORIGIN],
      [`sr_csrf=${token}`, token, 'https://evil.example'],
    ] as const) {
      const res = await w.broker.app.inject({
        method: 'POST',
        url: '/admin/sign-in/options',
        headers: { 'content-type': 'application/json', origin, cookie },
        payload: { csrf },
      });
      expect(res.statusCode).toBe(403);
    }
  });
});
