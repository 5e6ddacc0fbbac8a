import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultPolicyBundleDir } from '../policy/defaultPolicyBundleDir.js';
import { loadPolicyBundle } from '../policy/loadPolicyBundle.js';
import type { PolicyBundle } from '../policy/PolicyBundle.js';
import { openTempSqliteStore, type TempSqliteStore } from '../store/tempSqliteStore.js';
import type { DetectorFinding } from './DetectorFinding.js';
import { DetectorRunner } from './DetectorRunner.js';

describe('DetectorRunner (tails the real audit log)', () => {
  let bundle: PolicyBundle;
  let temp: TempSqliteStore;
  const clock = { now: Date.UTC(2025, 5, 2, 10, 0) };
  beforeAll(async () => {
    bundle = await loadPolicyBundle(defaultPolicyBundleDir());
  });
  beforeEach(async () => {
    temp = await openTempSqliteStore();
  });
  afterEach(() => temp.dispose());

  const runner = (found: DetectorFinding[]) =>
    new DetectorRunner({
      store: temp.store,
      now: () => clock.now,
      bundle: () => bundle,
      act: async (f) => {
        found.push(f);
      },
      pollMs: 10_000,
    });
  const denial = (userId: string) =>
    temp.store.appendAudit({
      classUid: 3003,
      activityId: 99,
      activity: 'authorize',
      statusId: 2,
      actor: { kind: 'user', userId },
      time: clock.now,
      data: { principal: userId, decision: 'deny', resource: { type: 'Dataset', id: 'customer-pii' } },
    });

  it('a restart continues from the saved snapshot: nothing is acted on twice, state carries over', async () => {
    const found: DetectorFinding[] = [];
    const first = runner(found);
    await first.start();
    for (let i = 0; i < 10; i++) await denial('ann');
    await first.caughtUp();
    expect(found).toEqual([]);
    await first.close(); // saves the snapshot

    const second = runner(found);
    await second.start();
    expect(second.seq).toBe(10);
    for (let i = 0; i < 5; i++) await denial('ann');
    await second.caughtUp();
    // 10 before the restart + 5 after = the burst threshold of 15: the state survived.
    expect(found.map((f) => [f.detector, f.userId, f.data['count']])).toEqual([['denial-burst', 'ann', 15]]);
    await second.close();
  });

  it('without a snapshot it replays the whole log, acting only on fresh findings', async () => {
    for (let i = 0; i < 15; i++) await denial('old');
    clock.now += 3_600_000; // an hour of downtime
    for (let i = 0; i < 15; i++) await denial('new');
    const found: DetectorFinding[] = [];
    const r = runner(found);
    await r.start();
    await r.caughtUp();
    expect(found.map((f) => f.userId)).toEqual(['new']);
    await r.close();
  });
});
