import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultPolicyBundleDir } from '../policy/defaultPolicyBundleDir.js';
import { makeBundleDir } from '../policy/makeBundleDir.js';
import { PolicyEngine } from '../policy/PolicyEngine.js';
import type { Store } from '../store/Store.js';
import { makeUser, T0 } from '../store/storeFixtures.js';
import { openTempSqliteStore } from '../store/tempSqliteStore.js';
import { sweepReviews } from './sweepReviews.js';

const DAY = 86_400_000;

describe('scheduled access reviews (bundle reviews.everyDays)', () => {
  let store: Store;
  let dispose: () => Promise<void>;
  let cleanup: () => Promise<void>;
  let policy: PolicyEngine;
  const clock = { now: T0 + 365 * DAY };

  beforeEach(async () => {
    const h = await openTempSqliteStore();
    store = h.store;
    dispose = h.dispose;
    const manifest = JSON.parse(
      await readFile(join(defaultPolicyBundleDir(), 'bundle.json'), 'utf8'),
    ) as object;
    const bundle = await makeBundleDir({
      'bundle.json': JSON.stringify({
        ...manifest,
        reviews: { everyDays: 30, deadlineDays: 7, unreviewed: 'keep', staleAfterDays: 60 },
      }),
    });
    cleanup = bundle.cleanup;
    policy = await PolicyEngine.start(bundle.dir);
    await store.createUser(makeUser({ id: 'ann', email: 'ann@example.test' }));
    await store.upsertRole({ name: 'team-leads', description: '' });
    await store.addMembership('ann', 'team-leads');
  });
  afterEach(async () => {
    await dispose();
    await cleanup();
  });

  it('starts one campaign per period, across instances, and applies the bundle’s unreviewed action', async () => {
    const deps = { store, policy, now: () => clock.now };
    // Two sweeps at once (two broker instances): one campaign.
    const [a, b] = await Promise.all([sweepReviews(deps), sweepReviews(deps)]);
    expect([a.started, b.started].filter(Boolean)).toHaveLength(1);
    const [campaign] = await store.listReviewCampaigns({ limit: 5 });
    expect(campaign).toMatchObject({ createdBy: null, unreviewedAction: 'keep', staleAfterDays: 60 });
    expect(campaign?.deadline).toBe(clock.now + 7 * DAY);
    // While it is open nothing new starts; at its deadline `keep` keeps the membership.
    clock.now += 8 * DAY;
    expect(await sweepReviews(deps)).toEqual({ closed: 1, started: false });
    expect(await store.listMemberships('ann')).toEqual(['team-leads']);
    // The next period: a new campaign.
    clock.now += 30 * DAY;
    expect((await sweepReviews(deps)).started).toBe(true);
    expect(await store.listReviewCampaigns({ limit: 5 })).toHaveLength(2);
  });
});
