import { describe, expect, it } from 'vitest';
import { loadPolicyBundle } from '../policy/loadPolicyBundle.js';
import { defaultPolicyBundleDir } from '../policy/defaultPolicyBundleDir.js';
import { uidKey } from '../policy/collectPolicyReads.js';
import { makePolicyContext } from '../policy/makePolicyContext.js';
import { openTestPostgresStore } from '../store/postgresTestHarness.js';
import { DEMO_ASSETS, DEMO_ROLES, seedDemo } from './seedDemo.js';

describe('demo seed matches the default policy bundle', () => {
  it('every demo membership is a Role or Group of the default catalog, and every demo asset is in it', async () => {
    const bundle = await loadPolicyBundle(defaultPolicyBundleDir());
    for (const { name } of DEMO_ROLES) {
      const known = bundle.catalog.has(uidKey('Role', name)) || bundle.catalog.has(uidKey('Group', name));
      expect(known, `${name} is not in the default catalog`).toBe(true);
    }
    for (const { id, tier } of DEMO_ASSETS) {
      const [type = '', ...rest] = id.split('::');
      const entity = bundle.catalog.get(uidKey(type, rest.join('::')));
      expect(entity, `${id} is not in the default catalog`).toBeDefined();
      expect(entity?.attrs['tier']).toBe(tier);
    }
  });

  it('ml-engineers may request restricted-data-reader and data-stewards approve it; not the other way round', async () => {
    const bundle = await loadPolicyBundle(defaultPolicyBundleDir());
    const ask = (memberships: string[], action: string) =>
      bundle.authorize({
        principal: {
          id: 'u',
          roles: memberships.filter((m) => m !== 'ml-engineers'),
          groups: memberships.filter((m) => m === 'ml-engineers'),
        },
        action,
        resource: { type: 'Role', id: 'restricted-data-reader' },
        context: makePolicyContext(),
      }).decision;
    expect(ask(['ml-engineers'], 'request')).toBe('allow');
    expect(ask(['data-stewards'], 'approve')).toBe('allow');
    expect(ask(['data-stewards'], 'request')).toBe('deny');
    expect(ask(['ml-engineers'], 'approve')).toBe('deny');
    expect(ask(['team-leads', 'sre-oncall'], 'approve')).toBe('deny');
  });
});

describe('seedDemo', () => {
  it('seeds once when two broker instances start at the same moment on one PostgreSQL schema', async () => {
    const { store, openAnother, dispose } = await openTestPostgresStore();
    try {
      const other = await openAnother();
      const results = await Promise.all([seedDemo(store, 1_000), seedDemo(other, 1_000)]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const records = await store.readAudit(1, 100);
      expect(records.filter((r) => r.activity === 'demo.seed')).toHaveLength(1);
      expect(await seedDemo(store, 2_000)).toBe(false);
    } finally {
      await dispose();
    }
  });
});
