import type { AuditActor } from '../audit/AuditEvent.js';
import { BrokerError } from '../errors/BrokerError.js';
import { applyReviewDecision } from './applyReviewDecision.js';
import type { ReviewDeps } from './startReviewCampaign.js';

/**
 * A reviewer keeps or removes one membership of an open campaign before its deadline. Nobody
 * reviews their own membership (as nobody approves their own request). Refusals change nothing and
 * are audited.
 */
export async function decideReview(
  deps: ReviewDeps,
  reviewer: { actor: AuditActor & { userId: string }; srcIp: string },
  item: { campaignId: string; userId: string; roleName: string },
  decision: 'keep' | 'remove',
): Promise<'keep' | 'remove'> {
  const now = deps.now();
  const outcome = await deps.store.transaction(async (tx) => {
    const campaign = await tx.getReviewCampaign(item.campaignId);
    if (!campaign) return new BrokerError('not_found', 'no such access review');
    if (campaign.status !== 'open' || campaign.deadline <= now)
      return new BrokerError('conflict', 'this access review is closed (its deadline has passed)');
    if (item.userId === reviewer.actor.userId)
      return new BrokerError('self_approval', 'nobody reviews their own access');
    const found = (await tx.listReviewItems(campaign.id)).find(
      (i) => i.userId === item.userId && i.roleName === item.roleName,
    );
    if (!found) return new BrokerError('not_found', 'no such membership in this review');
    const applied = await applyReviewDecision(tx, found, decision, { ...reviewer, deadline: false }, now);
    return applied ?? new BrokerError('conflict', 'this membership was already reviewed');
  });
  if (outcome instanceof BrokerError) {
    await deps.store.appendAudit({
      classUid: 3001,
      activityId: 99,
      activity: 'review.decide',
      statusId: 2,
      severityId: outcome.code === 'self_approval' ? 4 : 2,
      actor: reviewer.actor,
      time: now,
      srcIp: reviewer.srcIp,
      data: { ...item, decision, reason: outcome.code },
    });
    throw outcome;
  }
  return outcome;
}
