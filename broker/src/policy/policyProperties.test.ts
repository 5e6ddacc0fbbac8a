import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cedar } from './cedar.js';
import type { EntityJson } from '@cedar-policy/cedar-wasm/nodejs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuthorizationRequest } from './authorizationRequestSchema.js';
import { compilePolicyBundle } from './compilePolicyBundle.js';
import type { PolicyBundle } from './PolicyBundle.js';
import {
  bundleFiles,
  catalogJson,
  policiesText,
  policyText,
  propertySchema,
  requestArb,
} from './policyArbitraries.js';
import { PolicyEngine } from './PolicyEngine.js';
import { runPolicyTests } from './runPolicyTests.js';

// Every bundle passes Cedar's validator (slow in wasm), so runs are few and requests many.
const runs = { numRuns: 20 };
// Yield to the event loop between runs so the test worker stays responsive on a busy machine.
const breathe = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const slow = 600_000;

function compile(files: Map<string, string>, slicing: 'sliced' | 'whole' = 'sliced'): PolicyBundle {
  const result = compilePolicyBundle(files, { slicing });
  if (!result.ok) throw new Error(`generated bundle invalid:\n${result.errors.join('\n')}`);
  return result.bundle;
}

type Catalog = {
  roles: Array<{ id: string }>;
  groups: Array<{ id: string; memberOf: string[] }>;
  assets: Array<{
    type: string;
    id: string;
    tier: string;
    roles: string[];
    level: number;
    memberOf?: string[];
  }>;
};

/**
 * Plain Cedar with the whole policy set, the schema, every entity and the whole context: the
 * oracle. Plus the engine's one documented difference: a forbid that errs denies (fail closed).
 */
function oracle(
  policies: readonly string[],
  catalog: Catalog,
  request: AuthorizationRequest,
): 'allow' | 'deny' {
  const staticPolicies = Object.fromEntries(
    policies.map((text) => [/@id\("([^"]+)"\)/.exec(text)?.[1] ?? '', text]),
  );
  const ref = (type: string, id: string) => ({ __entity: { type, id } });
  const entities: EntityJson[] = [
    ...catalog.roles.map((r) => ({ uid: { type: 'Role', id: r.id }, attrs: {}, parents: [] })),
    ...catalog.groups.map((g) => ({
      uid: { type: 'Group', id: g.id },
      attrs: {},
      parents: g.memberOf.map((id) => ({ type: 'Role', id })),
    })),
    ...catalog.assets.map((a) => ({
      uid: { type: a.type, id: a.id },
      attrs: {
        tier: a.tier,
        level: a.level,
        ref: `${a.type}::${a.id}`,
        roles: a.roles.map((id) => ref('Role', id)),
      },
      // Only docs have parents (boxes), per the property schema.
      parents: (a.memberOf ?? []).map((id) => ({ type: 'Box', id })),
    })),
    {
      uid: { type: 'User', id: request.principal.id },
      attrs: {},
      parents: [
        ...(request.principal.roles ?? []).map((id) => ({ type: 'Role', id })),
        ...(request.principal.groups ?? []).map((id) => ({ type: 'Group', id })),
      ],
    },
  ];
  const ctx = request.context as { mfaAge: number; trusted: boolean; grants: string[] };
  const answer = cedar.isAuthorized({
    principal: { type: 'User', id: request.principal.id },
    action: { type: 'Action', id: request.action },
    resource: request.resource,
    context: { ...ctx, grants: ctx.grants.map((id) => ref('Role', id)) },
    schema: propertySchema,
    validateRequest: true,
    policies: { staticPolicies },
    entities,
  });
  if (answer.type === 'failure') throw new Error(answer.errors.map((e) => e.message).join('; '));
  const forbids = new Set(
    policies.filter((text) => /\nforbid \(/.test(text)).map((text) => /@id\("([^"]+)"\)/.exec(text)?.[1]),
  );
  if (answer.response.diagnostics.errors.some((e) => forbids.has(e.policyId))) return 'deny';
  return answer.response.decision;
}

describe('policy engine properties (fast-check)', () => {
  it(
    'slicing gives the same decisions as the whole set and as plain Cedar with everything',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          policiesText('p', 1, 10),
          catalogJson,
          fc.array(requestArb, { minLength: 15, maxLength: 15 }),
          async (policies, catalog, requests) => {
            await breathe();
            const files = bundleFiles(policies, catalog);
            const sliced = compile(files);
            const whole = compile(files, 'whole');
            try {
              for (const request of requests) {
                const a = sliced.authorize(request);
                const b = whole.authorize(request);
                expect(a.decision).toBe(b.decision);
                expect([...a.determiningPolicies].sort()).toEqual([...b.determiningPolicies].sort());
                expect(a.reasons).toEqual(b.reasons);
                expect([...a.errors].sort()).toEqual([...b.errors].sort());
                // Clause probes (`<id>#<n>`) ride along in the decide call; their errors are not the bundle's.
                for (const e of a.errors) expect(e.slice(0, e.indexOf(':'))).not.toContain('#');
                expect(a.decision).toBe(oracle(policies, catalog as Catalog, request));
              }
            } finally {
              sliced.release();
              whole.release();
            }
          },
        ),
        runs,
      );
    },
    slow,
  );

  it(
    'adding a forbid never turns a deny into an allow',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          policiesText('p', 1, 8),
          policyText('extra').map((t) => t.replace(/\bpermit \(/, 'forbid (')),
          catalogJson,
          fc.array(requestArb, { minLength: 15, maxLength: 15 }),
          async (policies, forbid, catalog, requests) => {
            await breathe();
            const before = compile(bundleFiles(policies, catalog));
            const after = compile(bundleFiles([...policies, forbid], catalog));
            try {
              for (const request of requests) {
                const was = before.authorize(request);
                const now = after.authorize(request);
                if (was.decision === 'deny') expect(now.decision).toBe('deny');
                if (now.decision === 'allow') expect(was.decision).toBe('allow');
              }
            } finally {
              before.release();
              after.release();
            }
          },
        ),
        runs,
      );
    },
    slow,
  );

  it(
    'a policy test suite that passes keeps passing after reloading the same bundle',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          policiesText('p', 1, 8),
          catalogJson,
          fc.array(requestArb, { minLength: 5, maxLength: 10 }),
          async (policies, catalog, requests) => {
            // Record what the bundle decides as its own test suite, then load it from disk twice.
            const probe = compile(bundleFiles(policies, catalog));
            const cases = requests.map((request, i) => {
              const d = probe.authorize(request);
              return {
                name: `case ${i}`,
                ...request,
                expect: {
                  decision: d.decision,
                  determiningPolicies: d.determiningPolicies,
                  reasons: d.reasons,
                },
              };
            });
            probe.release();
            const dir = await mkdtemp(join(tmpdir(), 'policy-reload-'));
            try {
              const files = bundleFiles(policies, catalog, {
                'tests/recorded.json': JSON.stringify({ cases }),
              });
              for (const [path, content] of files) {
                await mkdir(join(dir, path, '..'), { recursive: true });
                await writeFile(join(dir, path), content);
              }
              const engine = await PolicyEngine.start(dir);
              const first = runPolicyTests(engine.bundle);
              expect(first.every((r) => r.passed)).toBe(true);
              const hash = engine.bundleHash;
              const swap = await engine.reload(dir);
              expect(swap).toMatchObject({ swapped: true, previousHash: hash, hash });
              const second = runPolicyTests(engine.bundle);
              expect(second.map((r) => r.passed)).toEqual(first.map(() => true));
              expect(second.map((r) => r.decision?.bundleHash)).toEqual(first.map(() => hash));
              engine.bundle.release();
            } finally {
              await rm(dir, { recursive: true, force: true });
            }
          },
        ),
        { numRuns: 6 },
      );
    },
    slow,
  );
});
