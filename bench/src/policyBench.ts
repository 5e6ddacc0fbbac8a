import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AuthorizationRequest } from '@strongroom/broker/policy/authorizationRequestSchema.js';
import { cedar } from '@strongroom/broker/policy/cedar.js';
import { compilePolicyBundle } from '@strongroom/broker/policy/compilePolicyBundle.js';
import { defaultPolicyBundleDir } from '@strongroom/broker/policy/defaultPolicyBundleDir.js';
import { makePolicyContext } from '@strongroom/broker/policy/makePolicyContext.js';
import type { PolicyBundle, PolicySlicing } from '@strongroom/broker/policy/PolicyBundle.js';
import { readBundleDirectory } from '@strongroom/broker/policy/readBundleDirectory.js';

/**
 * Policy decision latency (issue 5, "Benchmark"): p50/p99 in µs of `PolicyBundle.authorize` with
 * the default bundle and with generated bundles of 100, 1,000 and 10,000 policies over a catalog
 * of 10,000 entities (1,000 roles, 500 groups, 8,500 assets), each beside the baseline measured in
 * the same run: the same engine handing Cedar the whole policy set ('whole', no slicing).
 *
 *   node bench/dist/policyBench.js [--sizes 100,1000,10000] [--requests 400] [--rounds 5]
 *
 * Warm = a request whose slice union was seen before (Cedar's parsed set is reused); cold = the
 * first decision for a new union, which parses it once. Denials include their explanation (one
 * more Cedar call over the permits' clauses). Goals: p50 < 100 µs at 1,000 policies; 100 → 10,000
 * policies costs at most 3x.
 *
 * The machine is shared, so every row also gives its p50 in units of a baseline measured in the
 * same process just before it: one `statefulIsAuthorized` call with a one-policy set, an empty
 * context and no entities (Cedar's fixed cost per call). Ratios compare across noisy runs.
 * Warm p50 is also split by outcome: a decision that needs no Cedar call (no candidate policy is
 * left for the request) is much cheaper than one that does.
 */

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : (args[i + 1] ?? fallback);
};
const SIZES = arg('sizes', '100,1000,10000').split(',').map(Number);
const REQUESTS = Number(arg('requests', '400'));
const ROUNDS = Number(arg('rounds', '5'));
const BASELINE_BUDGET_MS = 20_000;

/** Deterministic PRNG (mulberry32) so every run measures the same bundles and requests. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ROLES = 1000;
const GROUPS = 500;
const ASSETS = 8500;
const USERS = 2000;
const assetTypes = ['Model', 'Dataset', 'Pipeline', 'HostGroup', 'BucketPrefix', 'Service'] as const;
const assetActions: Record<(typeof assetTypes)[number], string[]> = {
  Model: ['read', 'download', 'write', 'delete', 'deploy'],
  Dataset: ['read', 'download', 'write', 'delete'],
  Pipeline: ['read', 'write', 'deploy'],
  HostGroup: ['read', 'ssh'],
  BucketPrefix: ['read', 'download', 'write'],
  Service: ['read', 'deploy'],
};
const tiers = ['public', 'internal', 'internal', 'restricted'];

interface World {
  catalog: unknown;
  assets: Array<{ type: (typeof assetTypes)[number]; id: string }>;
  users: Array<{ id: string; roles: string[]; groups: string[] }>;
}

function makeWorld(): World {
  const r = rng(7);
  const pick = (n: number): number => Math.floor(r() * n);
  const roles = Array.from({ length: ROLES }, (_, i) => ({ id: `role-${i}`, tier: tiers[i % tiers.length] }));
  const groups = Array.from({ length: GROUPS }, (_, i) => ({
    id: `group-${i}`,
    memberOf: [`role-${pick(ROLES)}`, `role-${pick(ROLES)}`],
  }));
  const assets = Array.from({ length: ASSETS }, (_, i) => ({
    type: assetTypes[i % assetTypes.length] as (typeof assetTypes)[number],
    id: `asset-${i}`,
    tier: tiers[pick(tiers.length)],
    labels: [`label-${pick(50)}`],
    owners: [`user-${pick(USERS)}`],
    roles: [`role-${pick(ROLES)}`],
  }));
  const users = Array.from({ length: USERS }, (_, i) => ({
    id: `user-${i}`,
    roles: Array.from({ length: 1 + pick(3) }, () => `role-${pick(ROLES)}`),
    groups: Array.from({ length: pick(3) }, () => `group-${pick(GROUPS)}`),
  }));
  return { catalog: { roles, groups, assets }, assets: assets.map(({ type, id }) => ({ type, id })), users };
}

/** Generated policies in the shapes real RBAC/ABAC bundles have: mostly role → asset grants. */
function makePolicies(
  n: number,
  world: World,
  seed: number,
): { text: string; grants: Array<{ role: string; action: string; asset: World['assets'][number] }> } {
  const r = rng(seed);
  const pick = (k: number): number => Math.floor(r() * k);
  const out: string[] = [];
  const grants: Array<{ role: string; action: string; asset: World['assets'][number] }> = [];
  for (let i = 0; i < n; i++) {
    const kind = r();
    const asset = world.assets[pick(world.assets.length)] as World['assets'][number];
    if (kind < 0.8) {
      const role = `role-${pick(ROLES)}`;
      const actions = assetActions[asset.type];
      const action = actions[pick(actions.length)] as string;
      grants.push({ role, action, asset });
      out.push(
        `@id("gen-${i}")\n@reason("needs role ${role} during working hours")\npermit (principal in Role::"${role}", action == Action::"${action}", resource == ${asset.type}::"${asset.id}")\nwhen { resource.tier != "restricted" }\nwhen { context.time.hour >= 6 && context.time.hour < 22 };`,
      );
    } else if (kind < 0.9) {
      out.push(
        `@id("gen-${i}")\npermit (principal in Group::"group-${pick(GROUPS)}", action in Action::"useAsset", resource is ${asset.type})\nwhen { resource.tier == "internal" && resource.labels.contains("label-${pick(50)}") };`,
      );
    } else if (kind < 0.95) {
      out.push(
        `@id("gen-${i}")\n@reason("suspended")\nforbid (principal == User::"user-${pick(USERS)}", action in Action::"useAsset", resource)\nunless { context.network.trusted };`,
      );
    } else {
      out.push(
        `@id("gen-${i}")\npermit (principal in Role::"role-${pick(ROLES)}", action == Action::"request", resource == Role::"role-${pick(ROLES)}");`,
      );
    }
  }
  return { text: out.join('\n\n'), grants };
}

// Everything passes (as in the policy tests), so decisions hinge on roles, grants and generated rules.
const context = makePolicyContext();

/** Half the requests are ones a generated grant allows, half random (mostly denials). */
function makeRequests(
  world: World,
  grants: ReturnType<typeof makePolicies>['grants'],
  seed: number,
): AuthorizationRequest[] {
  const r = rng(seed);
  const pick = (k: number): number => Math.floor(r() * k);
  return Array.from({ length: REQUESTS }, (_, i) => {
    const user = world.users[pick(world.users.length)] as World['users'][number];
    const grant = grants[pick(grants.length)];
    if (i % 2 === 0 && grant !== undefined) {
      return {
        principal: { id: user.id, roles: [...user.roles, grant.role], groups: user.groups },
        action: grant.action,
        resource: grant.asset,
        context,
      };
    }
    const asset = world.assets[pick(world.assets.length)] as World['assets'][number];
    const actions = assetActions[asset.type];
    return {
      principal: { id: user.id, roles: user.roles, groups: user.groups },
      action: actions[pick(actions.length)] as string,
      resource: asset,
      context,
    };
  });
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

interface Latency {
  p50: number;
  p99: number;
  n: number;
  allowShare: number;
  allowP50: number;
  denyP50: number;
}

const BASELINE_SET = 'policy-bench-baseline';

/** p50 in µs of Cedar's fixed cost per call: a one-policy preparsed set, empty context, no entities. */
function cedarBaseline(): number {
  cedar.preparsePolicySet(BASELINE_SET, {
    staticPolicies: { base: 'permit (principal, action, resource);' },
  });
  const call = {
    principal: { type: 'User', id: 'u' },
    action: { type: 'Action', id: 'read' },
    resource: { type: 'Dataset', id: 'd' },
    context: {},
    entities: [],
    preparsedPolicySetId: BASELINE_SET,
  };
  const xs: number[] = [];
  for (let i = 0; i < 3000; i++) {
    const t = performance.now();
    cedar.statefulIsAuthorized(call);
    xs.push((performance.now() - t) * 1000);
  }
  return percentile(Array.from(Float64Array.from(xs).sort()), 0.5);
}

function measure(
  bundle: PolicyBundle,
  requests: readonly AuthorizationRequest[],
  rounds: number,
  budgetMs = Infinity,
): { cold: Latency; warm: Latency } {
  const cold: number[] = [];
  const warm: number[] = [];
  const warmAllow: number[] = [];
  const warmDeny: number[] = [];
  let allows = 0;
  const started = performance.now();
  for (let round = 0; round <= rounds; round++) {
    for (const request of requests) {
      const t = performance.now();
      const d = bundle.authorize(request);
      const us = (performance.now() - t) * 1000;
      (round === 0 ? cold : warm).push(us);
      if (round > 0) (d.decision === 'allow' ? warmAllow : warmDeny).push(us);
      if (round === 1 && d.decision === 'allow') allows++;
      if (performance.now() - started > budgetMs && round > 0) break;
    }
    if (performance.now() - started > budgetMs && round > 0) break;
  }
  // A typed-array sort: Node 20.20's Array.prototype.sort with a comparator crashed V8 here (deoptimizer).
  const sorted = (xs: number[]): number[] => Array.from(Float64Array.from(xs).sort());
  const summary = (xs: number[]): Latency => {
    const s = sorted(xs);
    return {
      p50: percentile(s, 0.5),
      p99: percentile(s, 0.99),
      n: s.length,
      allowShare: allows / requests.length,
      allowP50: percentile(sorted(warmAllow), 0.5),
      denyP50: percentile(sorted(warmDeny), 0.5),
    };
  };
  return { cold: summary(cold), warm: summary(warm.length > 0 ? warm : cold) };
}

function compile(
  files: Map<string, string>,
  slicing: PolicySlicing,
): { bundle: PolicyBundle; loadMs: number } {
  const t = performance.now();
  const result = compilePolicyBundle(files, { slicing, cacheCapacity: 8192 });
  if (!result.ok) throw new Error(`bundle invalid:\n${result.errors.slice(0, 10).join('\n')}`);
  return { bundle: result.bundle, loadMs: performance.now() - t };
}

const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

/** ` = N.N baseline (allows p50 …, denials p50 …)`: the warm p50 in baseline units, split by outcome. */
function inBaseline(l: Latency, baseline: number): string {
  return `, ${(l.p50 / baseline).toFixed(1)}x baseline (allows p50 ${fmt(l.allowP50)} µs, denials p50 ${fmt(l.denyP50)} µs)`;
}

async function main(): Promise<void> {
  const rows: string[] = [];
  const defaultFiles = new Map(await readBundleDirectory(defaultPolicyBundleDir()));
  const base = await readFile(join(defaultPolicyBundleDir(), 'schema.cedarschema'), 'utf8');

  // 1. The default bundle, with the requests of its own policy tests plus role/grant variations.
  {
    const users = [
      { id: 'alice', groups: ['ml-engineers'], roles: [] },
      { id: 'bob', roles: ['data-stewards'], groups: [] },
      { id: 'zoe', roles: [], groups: [] },
    ];
    const resources = [
      { type: 'Dataset', id: 'public-benchmarks' },
      { type: 'Model', id: 'llama-ft-internal' },
      { type: 'Dataset', id: 'customer-pii' },
      { type: 'HostGroup', id: 'gpu-a100' },
    ];
    const requests: AuthorizationRequest[] = [];
    for (const u of users)
      for (const resource of resources)
        for (const grant of [[], ['restricted-data-reader']])
          requests.push({
            principal: u,
            action: 'read',
            resource,
            context: { ...context, grants: { roles: grant, assets: [] } },
          });
    const sliced = compile(defaultFiles, 'sliced');
    const whole = compile(defaultFiles, 'whole');
    const baseline = cedarBaseline();
    rows.push(`baseline (one Cedar call, 1 policy, no context, no entities): p50 ${fmt(baseline)} µs`);
    const s = measure(sliced.bundle, requests, 200);
    const w = measure(whole.bundle, requests, 200);
    rows.push(
      `default bundle (${sliced.bundle.policies.length} policies): warm p50 ${fmt(s.warm.p50)} µs, p99 ${fmt(s.warm.p99)} µs${inBaseline(s.warm, baseline)} (whole set: p50 ${fmt(w.warm.p50)} µs, p99 ${fmt(w.warm.p99)} µs; ${(w.warm.p50 / s.warm.p50).toFixed(2)}x); allows ${(s.warm.allowShare * 100).toFixed(0)}%`,
    );
    sliced.bundle.release();
    whole.bundle.release();
  }

  // 2. Generated bundles over 10,000 catalog entities.
  const world = makeWorld();
  const p50s = new Map<number, number>();
  for (const size of SIZES) {
    const { text, grants } = makePolicies(size, world, size);
    const files = new Map([
      ['bundle.json', JSON.stringify({ name: `generated-${size}` })],
      ['schema.cedarschema', base],
      ['policies/generated.cedar', text],
      ['catalog.json', JSON.stringify(world.catalog)],
    ]);
    const requests = makeRequests(world, grants, size + 1);
    const sliced = compile(files, 'sliced');
    const baseline = cedarBaseline();
    const s = measure(sliced.bundle, requests, ROUNDS);
    p50s.set(size, s.warm.p50);
    const sets = sliced.bundle.preparsedSets;
    sliced.bundle.release();
    const whole = compile(files, 'whole');
    const w = measure(
      whole.bundle,
      requests.slice(0, Math.max(20, Math.floor(REQUESTS / 4))),
      1,
      BASELINE_BUDGET_MS,
    );
    whole.bundle.release();
    rows.push(
      `${size} policies / 10,000 entities: warm p50 ${fmt(s.warm.p50)} µs, p99 ${fmt(s.warm.p99)} µs${inBaseline(s.warm, baseline)}; cold p50 ${fmt(s.cold.p50)} µs, p99 ${fmt(s.cold.p99)} µs` +
        ` (whole set: p50 ${fmt(w.warm.p50)} µs, p99 ${fmt(w.warm.p99)} µs, ${(w.warm.p50 / s.warm.p50).toFixed(1)}x slower); allows ${(s.warm.allowShare * 100).toFixed(0)}%, ${sets} parsed unions, load ${fmt(sliced.loadMs)} ms`,
    );
    console.log(rows[rows.length - 1]);
  }
  const first = p50s.get(SIZES[0] as number);
  const last = p50s.get(SIZES[SIZES.length - 1] as number);
  if (first !== undefined && last !== undefined)
    rows.push(
      `scaling ${SIZES[0]} → ${SIZES[SIZES.length - 1]} policies: warm p50 x${(last / first).toFixed(2)} (goal ≤ 3x)`,
    );
  cedar.preparsePolicySet(BASELINE_SET, { staticPolicies: {} });
  console.log('\nPolicy decision latency (PolicyBundle.authorize, Cedar 4.13 statefulIsAuthorized):');
  for (const row of rows) console.log(`  ${row}`);
}

await main();
