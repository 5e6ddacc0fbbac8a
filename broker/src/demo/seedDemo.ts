import type { Store } from '../store/Store.js';

/**
 * Store memberships the default policy bundle (broker/policy/default/) decides on: the group
 * `ml-engineers` may request `restricted-data-reader` and the internal roles, `data-stewards`
 * approve restricted data (two of them: restricted targets need two approvers), `team-leads`
 * approve internal roles and `sre-oncall` may self-activate break-glass. A membership named like a
 * catalog Group is filed as a Group (jit/policyInputsFor.ts), so one store "role" serves both.
 * seedDemo.test.ts checks every name here is in the default catalog.
 */
export const DEMO_ROLES = [
  { name: 'ml-engineers', description: 'Everyone building models (may request restricted-data-reader)' },
  { name: 'data-stewards', description: 'Approve access to restricted data' },
  { name: 'team-leads', description: 'Approve internal roles' },
  { name: 'sre-oncall', description: 'On-call site reliability engineers (break-glass)' },
] as const;

/** The catalog assets of the default bundle, by tier, listed for the demo's first screen. */
export const DEMO_ASSETS = [
  { id: 'Dataset::public-benchmarks', tier: 'public' },
  { id: 'Model::llama-ft-internal', tier: 'internal' },
  { id: 'Pipeline::finetune-nightly', tier: 'internal' },
  { id: 'HostGroup::gpu-a100', tier: 'internal' },
  { id: 'Service::model-registry', tier: 'internal' },
  { id: 'Dataset::customer-pii', tier: 'restricted' },
  { id: 'BucketPrefix::s3://corp-ml/raw/', tier: 'restricted' },
  { id: 'HostGroup::gpu-prod', tier: 'restricted' },
] as const;

/**
 * Seeds the demo roles once (idempotent), audited as one admin change (OCSF Account Change 3001)
 * in the same transaction.
 */
export async function seedDemo(store: Store, now: number): Promise<boolean> {
  return store.transaction(async (tx) => {
    // Claim the seed first: a plain read locks no row when none exists yet, so two instances
    // starting at once would both seed; the insert makes the second one wait and then back off.
    if (!(await tx.insertSettingIfAbsent('demo.seededAt', now))) return false;
    for (const role of DEMO_ROLES) await tx.upsertRole({ ...role });
    await tx.putSetting('demo.assets', DEMO_ASSETS);
    await tx.appendAudit({
      classUid: 3001,
      activityId: 99,
      activity: 'demo.seed',
      statusId: 1,
      actor: { kind: 'broker' },
      time: now,
      data: { roles: DEMO_ROLES.map((r) => r.name), assets: DEMO_ASSETS.map((a) => a.id) },
    });
    return true;
  });
}
