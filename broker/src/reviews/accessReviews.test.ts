import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signInToPages, type AdminBrowser } from '../admin/adminSession.test-support.js';
import { jitWorld, type JitWorld, type Person } from '../jit/jitWorld.test-support.js';
import { defaultPolicyBundleDir } from '../policy/defaultPolicyBundleDir.js';
import { PolicyEngine } from '../policy/PolicyEngine.js';
import { sweepReviews } from './sweepReviews.js';

const DAY = 86_400_000;
const restricted = { type: 'Role', id: 'restricted-data-reader' };

describe('access reviews through the admin pages (real broker, SQLite, default bundle)', () => {
  let w: JitWorld;
  let ada: Person; // the only admin
  let bob: Person; // data-stewards: approves (uses the membership)
  let carl: Person; // ml-engineers: requests (uses the membership)
  let admin: AdminBrowser;
  let policy: PolicyEngine;

  beforeEach(async () => {
    w = await jitWorld();
    ada = await w.person('ada', ['admin']);
    bob = await w.person('bob', ['data-stewards']);
    carl = await w.person('carl', ['ml-engineers']);
    await w.person('dora', ['team-leads']); // never uses team-leads
    const r = await w.call(carl, 'POST', '/api/v1/requests', {
      target: restricted,
      durationMinutes: 60,
      reason: 'investigate churn model drift on customer data',
    });
    expect(r.status).toBe(201);
    expect((await w.approve(bob, (r.body['request'] as { id: string }).id)).status).toBe(200);
    admin = await signInToPages(w, ada);
    policy = await PolicyEngine.start(defaultPolicyBundleDir());
  });
  afterEach(async () => w.close());

  const start = async () => {
    const res = await admin.post('/admin/reviews', { csrf: admin.csrf, name: 'Q4 review' });
    expect(res.status).toBe(303);
    const id = /\/admin\/reviews\/([0-9a-f-]{36})/.exec(res.location ?? '')?.[1] ?? '';
    return { id, items: await w.broker.store.listReviewItems(id) };
  };
  const item = (items: Awaited<ReturnType<typeof start>>['items'], userId: string, role: string) =>
    items.find((i) => i.userId === userId && i.roleName === role);

  it('lists every membership with its last use from the audit log and flags the unused as stale', async () => {
    const { id, items } = await start();
    expect(items).toHaveLength(4);
    expect(item(items, 'bob', 'data-stewards')).toMatchObject({ stale: false, decision: 'pending' });
    expect(item(items, 'bob', 'data-stewards')?.lastUsedAt).toBeGreaterThan(0);
    expect(item(items, 'carl', 'ml-engineers')?.lastUsedAt).toBeGreaterThan(0);
    // Never used, account older than staleAfterDays (90): stale.
    expect(item(items, 'dora', 'team-leads')).toMatchObject({ lastUsedAt: null, stale: true });
    const page = await admin.get(`/admin/reviews/${id}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('dora@example.test');
    expect(page.body).toMatch(/stale/);
    const audit = await w.auditNames();
    // Ada signed in to the admin pages: her admin membership is in use.
    expect(item(items, 'ada', 'admin')?.lastUsedAt).toBeGreaterThan(0);
    expect(audit.find((a) => a.activity === 'review.start')?.data).toMatchObject({ items: 4, stale: 1 });
    // One open review at a time.
    const again = await admin.post('/admin/reviews', { csrf: admin.csrf, name: '' });
    expect(again.status).toBe(409);
    expect(await w.broker.store.listReviewCampaigns({ limit: 10 })).toHaveLength(1);
  });

  it('keeps or removes memberships; nobody reviews their own; a decision is final', async () => {
    const { id } = await start();
    const decide = (userId: string, role: string, decision: string) =>
      admin.post(`/admin/reviews/${id}/decide`, { csrf: admin.csrf, userId, role, decision });
    expect((await decide('dora', 'team-leads', 'remove')).status).toBe(303);
    expect(await w.broker.store.listMemberships('dora')).toEqual([]);
    expect((await decide('carl', 'ml-engineers', 'keep')).status).toBe(303);
    expect(await w.broker.store.listMemberships('carl')).toEqual(['ml-engineers']);
    // Own membership: refused, nothing changes, audited.
    const self = await decide('ada', 'admin', 'remove');
    expect(self.status).toBe(403);
    expect(await w.broker.store.listMemberships('ada')).toEqual(['admin']);
    // Already decided: refused.
    expect((await decide('carl', 'ml-engineers', 'remove')).status).toBe(409);
    expect(await w.broker.store.listMemberships('carl')).toEqual(['ml-engineers']);
    // Bad input: unknown decision, unknown membership.
    expect((await decide('bob', 'data-stewards', 'maybe')).status).toBe(400);
    expect((await decide('bob', 'nope', 'remove')).status).toBe(404);
    const audit = await w.auditNames();
    expect(audit.filter((a) => a.activity === 'review.decide' && a.statusId === 1)).toHaveLength(2);
    expect(
      audit.find((a) => a.activity === 'review.decide' && a.data?.['reason'] === 'self_approval'),
    ).toMatchObject({
      statusId: 2,
      severityId: 4,
    });
  });

  it('at the deadline removes what nobody reviewed (the bundle default) but never the last admin', async () => {
    const { id } = await start();
    const deps = { store: w.broker.store, policy, now: () => w.broker.clock.now };
    expect(await sweepReviews(deps)).toEqual({ closed: 0, started: false });
    w.broker.clock.now += 15 * DAY;
    expect(await sweepReviews(deps)).toEqual({ closed: 1, started: false });
    expect(await w.broker.store.listMemberships('bob')).toEqual([]);
    expect(await w.broker.store.listMemberships('dora')).toEqual([]);
    expect(await w.broker.store.listMemberships('ada')).toEqual(['admin']);
    const items = await w.broker.store.listReviewItems(id);
    expect(item(items, 'ada', 'admin')?.decision).toBe('keep');
    expect((await w.broker.store.getReviewCampaign(id))?.status).toBe('closed');
    const audit = await w.auditNames();
    expect(audit.filter((a) => a.activity === 'review.deadline')).toHaveLength(4);
    expect(audit.find((a) => a.activity === 'review.close')?.data).toMatchObject({
      unreviewed: 4,
      action: 'remove',
    });
    // Running it again changes nothing.
    expect(await sweepReviews(deps)).toEqual({ closed: 0, started: false });
    expect((await w.auditNames()).filter((a) => a.activity === 'review.deadline')).toHaveLength(4);
  });

  it('refuses a non-admin: pages and forms', async () => {
    const b = await signInToPages(w, bob);
    expect((await b.get('/admin/reviews')).status).toBe(403);
    const res = await b.post('/admin/reviews', { csrf: b.csrf, name: 'mine' });
    expect(res.status).toBe(403);
    expect(await w.broker.store.listReviewCampaigns({ limit: 10 })).toEqual([]);
  });
});
