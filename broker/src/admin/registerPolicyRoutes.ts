import type { FastifyInstance } from 'fastify';
import { runPolicyTests, type PolicyTestResult } from '../policy/runPolicyTests.js';
import { policyPage } from '../pages/admin/policyPage.js';
import type { AdminDeps } from './AdminDeps.js';
import { adminPageRoute } from './adminRoute.js';

/** The bundle in force (its content hash is the version every decision records) and its tests. */
export function registerPolicyRoutes(app: FastifyInstance, deps: AdminDeps): void {
  // A bundle never changes under its hash: run its tests once per bundle.
  let cached: { hash: string; results: PolicyTestResult[] } | undefined;
  adminPageRoute(app, deps, '/admin/policy', { adminOnly: true }, async (ctx) => {
    const bundle = deps.jit.policy.bundle;
    if (cached?.hash !== bundle.hash) cached = { hash: bundle.hash, results: runPolicyTests(bundle) };
    return policyPage(ctx.shell('/admin/policy'), {
      name: bundle.manifest.name,
      description: bundle.manifest.description ?? '',
      hash: bundle.hash,
      policyIds: bundle.policies.map((p) => p.id),
      tests: cached.results,
    });
  });
}
