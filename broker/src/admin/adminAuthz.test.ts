import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jitWorld, type JitWorld, type Person } from '../jit/jitWorld.test-support.js';
import { makeAlert, makeLock } from '../store/alertStoreConformance.js';
import { keyTouch, signInToPages } from './adminSession.test-support.js';

const restricted = { type: 'Role', id: 'restricted-data-reader' };
const reason = 'investigate churn model drift on customer data';

describe('admin pages: who sees and does what', () => {
  let w: JitWorld;
  let ada: Person; // admin
  let bob: Person; // data-stewards: approves restricted data
  let tina: Person; // team-leads: approves internal roles only
  let carl: Person; // ml-engineers: the requester
  let requestId = '';

  beforeEach(async () => {
    w = await jitWorld();
    ada = await w.person('ada', ['admin']);
    bob = await w.person('bob', ['data-stewards']);
    tina = await w.person('tina', ['team-leads']);
    carl = await w.person('carl', ['ml-engineers']);
    const r = await w.call(carl, 'POST', '/api/v1/requests', {
      target: restricted,
      durationMinutes: 60,
      reason,
    });
    requestId = (r.body['request'] as { id: string }).id;
  });
  afterEach(async () => w.close());

  it('shows approvers only the requests they may approve, and nobody their own', async () => {
    const dash = async (p: Person) => (await (await signInToPages(w, p)).get('/admin')).body;
    expect(await dash(bob)).toContain(`data-testid="review-${requestId}"`);
    expect(await dash(tina)).not.toContain(requestId);
    expect(await dash(carl)).not.toContain(requestId);
    // An approver's dashboard has no admin sections or admin links.
    const bobs = await dash(bob);
    expect(bobs).not.toContain('data-testid="grants"');
    expect(bobs).not.toContain('href="/admin/users"');
    // And a request outside their scope cannot be opened directly.
    const t = await signInToPages(w, tina);
    const page = await t.get(`/admin/requests/${requestId}`);
    expect(page.status).toBe(403);
    expect(page.body).toContain('not eligible to approve');
  });

  it('shows admins open alerts, locks in force, live grants and failing devices; approvers none of it', async () => {
    await w.broker.store.createAlert(
      makeAlert({ userId: 'carl', summary: 'carl pulled 40 dataset credentials in 5 min' }),
    );
    await w.broker.store.createLock(
      makeLock({ userId: 'tina', reason: 'issuance volume far above baseline' }),
    );
    await w.attest(carl, { firewall: 'fail' });
    const a = await signInToPages(w, ada);
    const dash = (await a.get('/admin')).body;
    const section = (id: string) =>
      dash.slice(
        dash.indexOf(`data-testid="${id}"`),
        dash.indexOf('</section>', dash.indexOf(`data-testid="${id}"`)),
      );
    expect(section('alerts')).toContain('carl pulled 40 dataset credentials in 5 min');
    expect(section('locked')).toContain('tina@example.test');
    expect(section('locked')).toContain('issuance volume far above baseline');
    expect(section('failing-devices')).toContain('firewall: fail');
    expect(section('failing-devices')).not.toContain('ada@example.test');
    const b = await signInToPages(w, bob);
    const approver = (await b.get('/admin')).body;
    expect(approver).not.toContain('carl pulled 40');
    expect(approver).not.toContain('data-testid="locked"');
  });

  it('approves with a key touch bound to the request, and denies with a reason', async () => {
    const b = await signInToPages(w, bob);
    const page = await b.get(`/admin/requests/${requestId}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('data-testid="approve-key"');
    // Showing the request issues nothing: the challenge comes with the options request.
    expect(await w.broker.store.oidcFind('ApprovalChallenge', `${requestId}:bob`)).toBeUndefined();
    const options = await b.postJson(`/admin/requests/${requestId}/approve/options`, { csrf: b.csrf });
    expect(options.status).toBe(200);
    const response = keyTouch(bob, String(options.json['challenge']));
    const approved = await b.postJson(`/admin/requests/${requestId}/approve`, { csrf: b.csrf, response });
    expect(approved).toMatchObject({ status: 200, json: { message: 'Approval recorded (1 of 2).' } });
    // The same assertion again: the challenge was used up.
    const replay = await b.postJson(`/admin/requests/${requestId}/approve`, { csrf: b.csrf, response });
    expect(replay.status).toBeGreaterThanOrEqual(400);
    expect(await w.broker.store.listApprovals(requestId)).toHaveLength(1);
    // Another steward denies it with a reason.
    const cara = await w.person('cara', ['data-stewards']);
    const c = await signInToPages(w, cara);
    const empty = await c.post(`/admin/requests/${requestId}/deny`, { csrf: c.csrf, reason: '' });
    expect(empty.status).toBe(400);
    const denied = await c.post(`/admin/requests/${requestId}/deny`, {
      csrf: c.csrf,
      reason: 'use the sample set',
    });
    expect(denied).toMatchObject({ status: 303, location: '/admin?done=denied' });
    expect((await w.broker.store.getAccessRequest(requestId))?.status).toBe('denied');
  });

  it('refuses every admin page and admin form to a non-admin, changing nothing', async () => {
    const b = await signInToPages(w, bob);
    for (const path of [
      '/admin/users',
      '/admin/grants',
      '/admin/alerts',
      '/admin/locks',
      '/admin/audit',
      '/admin/policy',
      '/admin/reviews',
    ])
      expect((await b.get(path)).status, path).toBe(403);
    const head = await w.broker.store.auditHead();
    const forms: Array<[string, Record<string, string>]> = [
      [`/admin/devices/${carl.deviceId}/status`, { action: 'lock' }],
      ['/admin/grants/00000000-0000-4000-8000-000000000000/revoke', { reason: 'test revoke' }],
      ['/admin/audit/verify', {}],
      ['/admin/reviews', { name: 'x' }],
      ['/admin/users/tina/lock', { reason: 'locking someone else' }],
    ];
    for (const [path, form] of forms)
      expect((await b.post(path, { csrf: b.csrf, ...form })).status, path).toBe(403);
    expect((await w.broker.store.getDevice(carl.deviceId))?.status).toBe('active');
    expect((await w.broker.store.auditHead()).seq).toBe(head.seq);
  });

  it('answers bad input with a clear error and changes nothing', async () => {
    const a = await signInToPages(w, ada);
    const head = await w.broker.store.auditHead();
    const cases: Array<[string, Record<string, string>, number, RegExp]> = [
      [`/admin/devices/${carl.deviceId}/status`, { action: 'explode' }, 400, /action/],
      [`/admin/devices/${carl.deviceId}/status`, { action: 'lock', extra: '1' }, 400, /unknown field/],
      ['/admin/devices/nope/status', { action: 'lock' }, 404, /no such device/],
      [`/admin/devices/${carl.deviceId}/status`, { action: 'approve' }, 409, /not pending/],
      [`/admin/devices/${carl.deviceId}/status`, { action: 'lock' }, 400, /reason/],
      ['/admin/grants/not-a-uuid/revoke', { reason: 'because' }, 400, /id/],
      ['/admin/grants/00000000-0000-4000-8000-000000000000/revoke', { reason: 'x' }, 400, /reason/],
    ];
    for (const [path, form, status, text] of cases) {
      const res = await a.post(path, { csrf: a.csrf, ...form });
      expect(res.status, path).toBe(status);
      expect(res.body, path).toMatch(text);
    }
    expect((await w.broker.store.auditHead()).seq).toBe(head.seq);
    expect((await a.get('/admin/audit?from=yesterday')).status).toBe(400);
    expect((await a.get('/admin/audit?before=0')).status).toBe(400);
    expect((await a.get('/admin/audit?sneaky=1')).status).toBe(400);
    expect((await a.get('/admin/requests/not-a-uuid')).status).toBe(400);
  });

  it('locks a person from the pages; only another admin unlocks, with a reason and a key touch', async () => {
    const a = await signInToPages(w, ada);
    const tinaBefore = await signInToPages(w, tina);
    expect(
      (await a.post('/admin/users/tina/lock', { csrf: a.csrf, reason: 'laptop stolen last night' })).status,
    ).toBe(303);
    expect((await w.broker.store.getUser('tina'))?.status).toBe('locked');
    const [lock] = await w.broker.store.listLocks({ active: true, limit: 5 });
    expect(lock?.lockedBy).toBe('ada');
    expect((await a.get('/admin/locks')).body).toContain('tina@example.test');
    // The locker cannot unlock their own lock: refused before any key prompt.
    const own = await a.postJson(`/admin/locks/${lock?.id ?? ''}/unlock/options`, { csrf: a.csrf });
    expect(own.status).toBe(403);
    // A second admin unlocks with a reason and a touch bound to this lock.
    const eve = await w.person('eve', ['admin']);
    const e = await signInToPages(w, eve);
    const page = await e.get(`/admin/locks/${lock?.id ?? ''}`);
    expect(page.body).toContain('data-testid="unlock-key"');
    const options = await e.postJson(`/admin/locks/${lock?.id ?? ''}/unlock/options`, { csrf: e.csrf });
    expect(options.status).toBe(200);
    const response = keyTouch(eve, String(options.json['challenge']));
    const short = await e.postJson(`/admin/locks/${lock?.id ?? ''}/unlock`, {
      csrf: e.csrf,
      reason: 'ok',
      response,
    });
    expect(short.status).toBe(400);
    expect((await w.broker.store.getUser('tina'))?.status).toBe('locked');
    const done = await e.postJson(`/admin/locks/${lock?.id ?? ''}/unlock`, {
      csrf: e.csrf,
      reason: 'laptop recovered, keys rotated',
      response,
    });
    expect(done).toMatchObject({ status: 200, json: { message: 'Unlocked. They can sign in again.' } });
    expect((await w.broker.store.getUser('tina'))?.status).toBe('active');
    // Tina's page session from before the lock stays ended; a new key touch signs her in.
    expect((await tinaBefore.get('/admin')).status).toBe(303);
    w.broker.clock.now += 1000; // the broker's clock is fixed in these tests; a new touch comes later
    expect((await (await signInToPages(w, tina)).get('/admin')).status).toBe(200);
  });

  it('filters and pages the audit log, and verifies the chain', async () => {
    const a = await signInToPages(w, ada);
    const mine = await a.get('/admin/audit?actor=carl%40example.test&name=jit.request');
    expect(mine.status).toBe(200);
    expect(mine.body).toContain('jit.request');
    expect(mine.body).not.toContain('>login<');
    const failures = await a.get('/admin/audit?outcome=failure');
    expect(failures.body).not.toMatch(/<td>success<\/td>/);
    const future = await a.get('/admin/audit?from=2999-01-01T00%3A00');
    expect(future.body).toContain('No record matches.');
    expect((await a.post('/admin/audit/verify', { csrf: a.csrf })).status).toBe(303);
    // Paging: one record per page walks back by seq.
    const head = (await w.broker.store.auditHead()).seq;
    const older = await a.get(`/admin/audit?before=${head}`);
    expect(older.body).toContain(`<td>${head - 1}</td>`);
    expect(older.body).not.toContain(`<td>${head}</td>`);
    const verified = await a.get('/admin/audit');
    expect(verified.body).toMatch(/data-testid="chain-state" class="ok"><strong>Chain verified/);
  });
});
