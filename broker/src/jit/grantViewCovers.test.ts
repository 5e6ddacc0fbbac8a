import { grantsResponseSchema } from '@strongroom/shared/protocol/jitApi.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authorizeIssuance } from '../credentials/authorizeIssuance.js';
import { coveredAssets, MAX_COVERED_ASSETS } from '../credentials/grantCoverage.js';
import { issuanceCaller, storedActiveGrant } from '../credentials/issuanceFixtures.test-support.js';
import { BrokerError } from '../errors/BrokerError.js';
import { uidKey } from '../policy/collectPolicyReads.js';
import type { CatalogEntity } from '../policy/parseCatalog.js';
import { jitWorld, type JitWorld, type Person } from './jitWorld.test-support.js';

const MIN = 60_000;

describe('GET /api/v1/grants: what each grant covers (from the catalog, by the issuance rule)', () => {
  let w: JitWorld;
  let alice: Person;
  beforeEach(async () => {
    w = await jitWorld();
    alice = await w.person('alice', ['ml-engineers']);
  });
  afterEach(async () => w.close());

  const grantsOf = async (p: Person) => {
    const reply = await w.call(p, 'GET', '/api/v1/grants');
    expect(reply.status).toBe(200);
    return grantsResponseSchema.parse(reply.body).grants;
  };

  it('a Role grant lists the assets whose catalog roles include it, and no others', async () => {
    const id = await storedActiveGrant(w, alice, { type: 'Role', id: 'ml-researcher' }, 30);
    const grant = (await grantsOf(alice)).find((g) => g.id === id);
    // Default catalog: host groups, AWS-mapped assets and token-exchange services of ml-researcher,
    // sorted by type then id; not gpu-prod (gpu-breakglass), nor Model/Pipeline (no credentials).
    expect(grant?.covers).toEqual([
      { type: 'BucketPrefix', id: 's3://corp-ml/checkpoints/' },
      { type: 'HostGroup', id: 'gpu-a100' },
      { type: 'Service', id: 'experiment-tracker' },
      { type: 'Service', id: 'k8s-training' },
      { type: 'Service', id: 'ml-git' },
      { type: 'Service', id: 'model-registry' },
    ]);
  });

  it('an asset grant covers itself; an ended grant lists nothing; an unknown role covers nothing', async () => {
    const hostGroup = await storedActiveGrant(w, alice, { type: 'HostGroup', id: 'gpu-prod' }, 30);
    const unknownRole = await storedActiveGrant(w, alice, { type: 'Role', id: 'constructor' }, 30);
    const ended = await storedActiveGrant(w, alice, { type: 'Role', id: 'ml-researcher' }, 10, {
      at: w.broker.clock.now - 20 * MIN,
    });
    const grants = await grantsOf(alice);
    expect(grants.find((g) => g.id === hostGroup)?.covers).toEqual([{ type: 'HostGroup', id: 'gpu-prod' }]);
    expect(grants.find((g) => g.id === unknownRole)?.covers).toEqual([]);
    const endedView = grants.find((g) => g.id === ended);
    expect(endedView?.state).toBe('ended');
    expect(endedView).not.toHaveProperty('covers');
  });

  it('covers is exactly what issuance accepts: every catalog asset is listed iff the grant covers it there', async () => {
    const grants = [
      await storedActiveGrant(w, alice, { type: 'Role', id: 'ml-researcher' }, 30),
      await storedActiveGrant(w, alice, { type: 'Role', id: 'restricted-data-reader' }, 30, {
        tier: 'restricted',
      }),
      await storedActiveGrant(w, alice, { type: 'HostGroup', id: 'gpu-prod' }, 30, { tier: 'restricted' }),
    ];
    const views = await grantsOf(alice);
    const caller = await issuanceCaller(w, alice);
    let refused = 0;
    for (const grantId of grants) {
      const listed = new Set(
        (views.find((g) => g.id === grantId)?.covers ?? []).map((a) => uidKey(a.type, a.id)),
      );
      expect(listed.size).toBeGreaterThan(0);
      for (const asset of w.broker.jit.policy.bundle.catalog.values()) {
        if (asset.type === 'Role' || asset.type === 'Group') continue;
        const refusal = await authorizeIssuance(w.broker.jit, caller, {
          target: { type: asset.type, id: asset.id },
          action: 'read',
          grantId,
        }).then(
          () => undefined,
          (e: unknown) => e,
        );
        const notCovered = refusal instanceof BrokerError && /does not cover/.test(refusal.message);
        if (notCovered) refused += 1;
        if (listed.has(asset.key)) expect(notCovered, asset.key).toBe(false);
        else if (!notCovered) {
          // Covered, but not a kind clients get credentials for (Model, Dataset, Pipeline, …).
          expect(
            ['HostGroup', 'Service'].includes(asset.type) || 'awsRoleArn' in asset.attrs,
            asset.key,
          ).toBe(false);
        }
      }
    }
    expect(refused).toBeGreaterThan(0);
  });
});

describe('coveredAssets', () => {
  const entity = (type: string, id: string, attrs: CatalogEntity['attrs'] = {}): CatalogEntity => ({
    type,
    id,
    key: uidKey(type, id),
    attrs,
    ancestors: [],
  });

  it('is sorted and bounded, and reads roles given as strings or Role entity references', () => {
    const catalog = new Map<string, CatalogEntity>();
    for (let i = 0; i < MAX_COVERED_ASSETS + 20; i++) {
      const e = entity('HostGroup', `hg-${String(1000 - i)}`, {
        roles: i % 2 === 0 ? ['r'] : [{ __entity: { type: 'Role', id: 'r' } }],
      });
      catalog.set(e.key, e);
    }
    const other = entity('HostGroup', 'aaa-other', { roles: ['someone-else'] });
    catalog.set(other.key, other);
    const covered = coveredAssets({ target: { type: 'Role', id: 'r' } }, catalog);
    expect(covered).toHaveLength(MAX_COVERED_ASSETS);
    expect(covered.map((a) => a.id)).toEqual([...covered.map((a) => a.id)].sort());
    expect(covered[0]).toEqual({ type: 'HostGroup', id: 'hg-1000' });
    expect(covered.some((a) => a.id === 'aaa-other')).toBe(false);
    // A grant naming a Role never covers an asset through an attribute other than `roles`.
    expect(coveredAssets({ target: { type: 'Role', id: 'someone' } }, catalog)).toEqual([]);
  });
});
