import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { BrokerError } from '../errors/BrokerError.js';
import type { ReviewCampaignRecord, ReviewItemRecord } from './reviewRecords.js';
import type { StoreHarness } from './storeConformance.js';
import { makeUser, T0 } from './storeFixtures.js';

export function makeReviewCampaign(overrides: Partial<ReviewCampaignRecord> = {}): ReviewCampaignRecord {
  return {
    id: randomUUID(),
    name: 'Quarterly access review',
    status: 'open',
    createdBy: null,
    createdAt: T0,
    deadline: T0 + 14 * 86_400_000,
    unreviewedAction: 'remove',
    staleAfterDays: 90,
    bundleHash: 'b'.repeat(64),
    closedAt: null,
    ...overrides,
  };
}

export function makeReviewItem(
  campaignId: string,
  userId: string,
  roleName: string,
  overrides: Partial<ReviewItemRecord> = {},
): ReviewItemRecord {
  return {
    campaignId,
    userId,
    roleName,
    lastUsedAt: null,
    stale: true,
    decision: 'pending',
    decidedBy: null,
    decidedAt: null,
    ...overrides,
  };
}

/** Access-review tests of the store conformance suite (issue 9), run by SQLite and PostgreSQL alike. */
export function reviewStoreConformance(harness: () => StoreHarness): void {
  it('reviews: stores a campaign with its items, lists newest first, items by user and role', async () => {
    const { store } = harness();
    await store.createUser(makeUser({ id: 'ann', email: 'ann@example.test' }));
    await store.createUser(makeUser({ id: 'bob', email: 'bob@example.test' }));
    const older = makeReviewCampaign({ createdAt: T0 - 1, status: 'closed', closedAt: T0 });
    const c = makeReviewCampaign();
    const items = [
      makeReviewItem(c.id, 'bob', 'team-leads', { lastUsedAt: T0 - 5, stale: false }),
      makeReviewItem(c.id, 'ann', 'data-stewards'),
      makeReviewItem(c.id, 'ann', 'admin', { lastUsedAt: T0 - 86_400_000 * 200 }),
    ];
    await store.createReviewCampaign(older, []);
    await store.createReviewCampaign(c, items);
    expect(await store.getReviewCampaign(c.id)).toEqual(c);
    expect(await store.getReviewCampaign('nope')).toBeUndefined();
    expect((await store.listReviewCampaigns({ limit: 10 })).map((x) => x.id)).toEqual([c.id, older.id]);
    expect((await store.listReviewCampaigns({ status: 'open', limit: 10 })).map((x) => x.id)).toEqual([c.id]);
    expect(await store.listReviewItems(c.id)).toEqual([items[2], items[1], items[0]]);
    const error = await store.createReviewCampaign(c, []).catch((e: unknown) => e);
    expect(error instanceof BrokerError && error.code).toBe('conflict');
  });

  it('reviews: a decision moves only from pending, once; a campaign closes once', async () => {
    const { store } = harness();
    await store.createUser(makeUser({ id: 'ann', email: 'ann@example.test' }));
    const c = makeReviewCampaign();
    await store.createReviewCampaign(c, [makeReviewItem(c.id, 'ann', 'admin')]);
    expect(await store.decideReviewItem(c.id, 'ann', 'admin', 'keep', 'root', T0 + 1)).toBe(true);
    expect(await store.decideReviewItem(c.id, 'ann', 'admin', 'remove', 'root', T0 + 2)).toBe(false);
    expect(await store.decideReviewItem(c.id, 'ann', 'nope', 'remove', 'root', T0 + 2)).toBe(false);
    expect(await store.listReviewItems(c.id)).toEqual([
      makeReviewItem(c.id, 'ann', 'admin', { decision: 'keep', decidedBy: 'root', decidedAt: T0 + 1 }),
    ]);
    expect(await store.closeReviewCampaign(c.id, T0 + 3)).toBe(true);
    expect(await store.closeReviewCampaign(c.id, T0 + 4)).toBe(false);
    expect(await store.getReviewCampaign(c.id)).toEqual({ ...c, status: 'closed', closedAt: T0 + 3 });
  });

  it('reviews: two instances deciding one item at once: exactly one wins', async () => {
    const h = harness();
    await h.store.createUser(makeUser({ id: 'ann', email: 'ann@example.test' }));
    const c = makeReviewCampaign();
    await h.store.createReviewCampaign(c, [makeReviewItem(c.id, 'ann', 'admin')]);
    const other = await h.openAnother();
    try {
      const results = await Promise.all([
        h.store.transaction((tx) => tx.decideReviewItem(c.id, 'ann', 'admin', 'keep', 'x', T0 + 1)),
        other.transaction((tx) => tx.decideReviewItem(c.id, 'ann', 'admin', 'remove', 'y', T0 + 1)),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
    } finally {
      await other.close();
    }
  });
}
