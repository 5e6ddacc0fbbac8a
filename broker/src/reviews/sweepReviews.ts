import { applyReviewDecision } from './applyReviewDecision.js';
import { startReviewCampaign, type ReviewDeps } from './startReviewCampaign.js';

const DAY = 86_400_000;

/**
 * The review clock, run by every broker instance: closes open campaigns past their deadline and
 * applies the campaign's unreviewed action to what nobody decided (default: remove; audited as
 * `review.deadline` by the broker), then starts the bundle's scheduled campaign when one is due
 * (`reviews.everyDays`). Safe to run anywhere any number of times: a close moves only from open,
 * an item only from pending, and a scheduled start is claimed once per period in the settings.
 */
export async function sweepReviews(deps: ReviewDeps): Promise<{ closed: number; started: boolean }> {
  const now = deps.now();
  const broker = { kind: 'broker' as const };
  let closed = 0;
  for (const campaign of await deps.store.listReviewCampaigns({ status: 'open', limit: 20 })) {
    if (campaign.deadline > now) continue;
    const done = await deps.store.transaction(async (tx) => {
      const current = await tx.getReviewCampaign(campaign.id);
      if (!current || !(await tx.closeReviewCampaign(campaign.id, now))) return false;
      const pending = (await tx.listReviewItems(campaign.id)).filter((i) => i.decision === 'pending');
      for (const item of pending)
        await applyReviewDecision(tx, item, current.unreviewedAction, { actor: broker, deadline: true }, now);
      await tx.appendAudit({
        classUid: 3001,
        activityId: 99,
        activity: 'review.close',
        statusId: 1,
        actor: broker,
        time: now,
        data: { campaignId: campaign.id, unreviewed: pending.length, action: current.unreviewedAction },
      });
      return true;
    });
    if (done) closed++;
  }
  const every = deps.policy.bundle.manifest.reviews.everyDays;
  let started = false;
  if (every !== undefined) {
    const [newest] = await deps.store.listReviewCampaigns({ limit: 1 });
    const due = newest === undefined || (newest.status === 'closed' && now - newest.createdAt >= every * DAY);
    if (
      due &&
      (await deps.store.insertSettingIfAbsent(`reviews.scheduled.${Math.floor(now / (every * DAY))}`, now))
    ) {
      await startReviewCampaign(
        deps,
        { actor: broker },
        `Scheduled access review ${new Date(now).toISOString().slice(0, 10)}`,
      );
      started = true;
    }
  }
  return { closed, started };
}
