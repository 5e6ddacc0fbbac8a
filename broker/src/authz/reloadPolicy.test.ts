import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeBundleDir } from '../policy/makeBundleDir.js';
import { makePolicyContext } from '../policy/makePolicyContext.js';
import { PolicyEngine } from '../policy/PolicyEngine.js';
import { openTempSqliteStore, type TempSqliteStore } from '../store/tempSqliteStore.js';
import { reloadPolicy, swapOrThrow } from './reloadPolicy.js';

const ask = {
  principal: { id: 'alice', groups: ['ml-engineers'] },
  action: 'request',
  resource: { type: 'Role', id: 'restricted-data-reader' },
  context: makePolicyContext(),
};

describe('policy hot swap through reloadPolicy (the admin route and SIGHUP)', () => {
  let temp: TempSqliteStore;
  let bundle: { dir: string; cleanup: () => Promise<void> };
  let engine: PolicyEngine;
  const actor = { kind: 'admin' as const, userId: 'root' };
  beforeEach(async () => {
    temp = await openTempSqliteStore();
    bundle = await makeBundleDir();
    engine = await PolicyEngine.start(bundle.dir);
  });
  afterEach(async () => {
    await temp.dispose();
    await bundle.cleanup();
  });
  const deps = () => ({
    policy: engine,
    policyDir: bundle.dir,
    store: temp.store,
    now: () => 1_750_000_000_000,
  });

  it('refuses an invalid bundle, keeps the old one in force, and audits the refusal', async () => {
    const before = engine.bundleHash;
    await writeFile(
      join(bundle.dir, 'policies', 'broken.cedar'),
      'permit (principal, action, resource) when { nope };',
    );
    const result = await reloadPolicy(deps(), actor);
    expect(result.swapped).toBe(false);
    expect(() => swapOrThrow(result)).toThrow(/refused/);
    expect(engine.bundleHash).toBe(before);
    expect(engine.authorize(ask).decision).toBe('allow');
    const [record] = await temp.store.readAudit(1, 10);
    expect(record).toMatchObject({ activity: 'policy.reload', statusId: 2, data: { hash: before } });
  });

  it('swaps in a valid new bundle atomically: new hash, new decisions, audited', async () => {
    const before = engine.bundleHash;
    await writeFile(
      join(bundle.dir, 'policies', 'freeze.cedar'),
      '@id("freeze-requests")\n@reason("requests are frozen")\nforbid (principal, action == Action::"request", resource);\n',
    );
    const result = swapOrThrow(await reloadPolicy(deps(), actor));
    expect(result.previousHash).toBe(before);
    expect(engine.bundleHash).toBe(result.hash);
    expect(result.hash).not.toBe(before);
    const decision = engine.authorize(ask);
    expect(decision).toMatchObject({
      decision: 'deny',
      determiningPolicies: ['freeze-requests'],
      bundleHash: result.hash,
    });
    expect(decision.reasons).toContain('requests are frozen');
    const [record] = await temp.store.readAudit(1, 10);
    expect(record).toMatchObject({
      activity: 'policy.reload',
      statusId: 1,
      data: { previousHash: before, hash: result.hash },
    });
  });
});
