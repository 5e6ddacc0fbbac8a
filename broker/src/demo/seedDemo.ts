import type { Store } from '../store/Store.js';

export const DEMO_ROLES = [
  { name: 'ml-researcher', description: 'Trains and evaluates models; reads curated datasets' },
  { name: 'data-engineer', description: 'Builds and runs data pipelines; writes training datasets' },
  { name: 'approver', description: 'Approves just-in-time access requests' },
  { name: 'admin', description: 'Administers users, roles and the broker' },
] as const;

/** Example assets (ARCHITECTURE.md, "Authorization": kinds and tiers), kept as a setting for now. */
export const DEMO_ASSETS = [
  { id: 'model:llm-7b-base', kind: 'model', tier: 'restricted', labels: ['weights', 'frontier'] },
  { id: 'dataset:web-crawl-2026', kind: 'dataset', tier: 'internal', labels: ['pii-scrubbed'] },
  { id: 'dataset:customer-chats', kind: 'dataset', tier: 'restricted', labels: ['pii'] },
  { id: 'pipeline:finetune-nightly', kind: 'pipeline', tier: 'internal', labels: [] },
  { id: 'hostgroup:gpu-a100', kind: 'host group', tier: 'internal', labels: ['gpu'] },
  {
    id: 'bucket:s3://strongroom-demo/checkpoints/',
    kind: 'bucket prefix',
    tier: 'restricted',
    labels: ['weights'],
  },
  { id: 'service:experiment-tracker', kind: 'service', tier: 'public', labels: [] },
] as const;

/**
 * Seeds the demo roles and assets once (idempotent), audited as one admin change
 * (OCSF Account Change 3001) in the same transaction.
 */
export async function seedDemo(store: Store, now: number): Promise<boolean> {
  return store.transaction(async (tx) => {
    if ((await tx.getSetting('demo.seededAt')) !== undefined) return false;
    for (const role of DEMO_ROLES) await tx.upsertRole({ ...role });
    await tx.putSetting('demo.assets', DEMO_ASSETS);
    await tx.putSetting('demo.seededAt', now);
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
