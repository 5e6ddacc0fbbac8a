import { randomUUID } from 'node:crypto';
import type { AuditActor } from '../audit/AuditEvent.js';
import { BrokerError } from '../errors/BrokerError.js';
import type { JitDeps } from '../jit/JitDeps.js';
import type { ReviewCampaignRecord, ReviewItemRecord } from '../store/reviewRecords.js';
import { membershipKey, membershipLastUse } from './membershipLastUse.js';

const DAY = 86_400_000;

export type ReviewDeps = Pick<JitDeps, 'store' | 'policy' | 'now'>;

/**
 * Starts an access review: every standing membership (user in role or group) becomes an item with
 * its last use from the audit log (membershipLastUse.ts) and a stale flag (unused, or never used
 * since the account exists, for the bundle's `reviews.staleAfterDays`). Deadline and what happens
 * to unreviewed items come from the bundle in force. One open campaign at a time. Audited with
 * the campaign in one transaction.
 */
export async function startReviewCampaign(
  deps: ReviewDeps,
  by: { actor: AuditActor; srcIp?: string },
  name?: string,
): Promise<ReviewCampaignRecord> {
  const { store } = deps;
  const now = deps.now();
  const bundle = deps.policy.bundle;
  const settings = bundle.manifest.reviews;
  const users = await store.listUsers();
  const memberships = new Map<string, string[]>();
  for (const u of users) memberships.set(u.id, await store.listMemberships(u.id));
  const lastUse = await membershipLastUse(store, bundle, memberships);
  const campaign: ReviewCampaignRecord = {
    id: randomUUID(),
    name: name ?? `Access review ${new Date(now).toISOString().slice(0, 10)}`,
    status: 'open',
    createdBy: by.actor.userId ?? null,
    createdAt: now,
    deadline: now + settings.deadlineDays * DAY,
    unreviewedAction: settings.unreviewed,
    staleAfterDays: settings.staleAfterDays,
    bundleHash: bundle.hash,
    closedAt: null,
  };
  const items: ReviewItemRecord[] = [];
  for (const u of users) {
    for (const role of memberships.get(u.id) ?? []) {
      const lastUsedAt = lastUse.get(membershipKey(u.id, role)) ?? null;
      items.push({
        campaignId: campaign.id,
        userId: u.id,
        roleName: role,
        lastUsedAt,
        stale: now - (lastUsedAt ?? u.createdAt) > settings.staleAfterDays * DAY,
        decision: 'pending',
        decidedBy: null,
        decidedAt: null,
      });
    }
  }
  await store.transaction(async (tx) => {
    if ((await tx.listReviewCampaigns({ status: 'open', limit: 1 })).length > 0)
      throw new BrokerError('conflict', 'an access review is already open: finish it first');
    await tx.createReviewCampaign(campaign, items);
    await tx.appendAudit({
      classUid: 3001,
      activityId: 99,
      activity: 'review.start',
      statusId: 1,
      actor: by.actor,
      time: now,
      ...(by.srcIp === undefined ? {} : { srcIp: by.srcIp }),
      data: {
        campaignId: campaign.id,
        name: campaign.name,
        items: items.length,
        stale: items.filter((i) => i.stale).length,
        deadline: campaign.deadline,
        unreviewed: campaign.unreviewedAction,
        staleAfterDays: campaign.staleAfterDays,
        bundleHash: bundle.hash,
      },
    });
  });
  return campaign;
}
