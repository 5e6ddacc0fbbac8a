import { ADMIN_ROLE } from '../enrollment/ensureAdminEnrollment.js';
import type { AuditActor } from '../audit/AuditEvent.js';
import type { ReviewItemRecord } from '../store/reviewRecords.js';
import type { StoreOps } from '../store/Store.js';

/**
 * Inside a transaction: records the decision on one pending item and, for `remove`, removes the
 * membership, with its audit record (OCSF Account Change 3001). The last active admin's `admin`
 * membership is never removed (a review nobody answered must not lock every admin out): it is
 * kept, and the record says why. Returns the decision applied, or undefined when the item was no
 * longer pending.
 */
export async function applyReviewDecision(
  tx: StoreOps,
  item: ReviewItemRecord,
  decision: 'keep' | 'remove',
  by: { actor: AuditActor; srcIp?: string; deadline: boolean },
  now: number,
): Promise<'keep' | 'remove' | undefined> {
  let applied = decision;
  let note: string | undefined;
  if (decision === 'remove' && item.roleName === ADMIN_ROLE && (await isLastAdmin(tx, item.userId))) {
    applied = 'keep';
    note = 'the last active admin keeps the admin role';
  }
  if (
    !(await tx.decideReviewItem(
      item.campaignId,
      item.userId,
      item.roleName,
      applied,
      by.actor.userId ?? null,
      now,
    ))
  )
    return undefined;
  if (applied === 'remove') await tx.removeMembership(item.userId, item.roleName);
  await tx.appendAudit({
    classUid: 3001,
    activityId: 99,
    activity: by.deadline ? 'review.deadline' : 'review.decide',
    statusId: 1,
    severityId: applied === 'remove' ? 2 : 1,
    actor: by.actor,
    time: now,
    ...(by.srcIp === undefined ? {} : { srcIp: by.srcIp }),
    data: {
      campaignId: item.campaignId,
      userId: item.userId,
      role: item.roleName,
      decision: applied,
      lastUsedAt: item.lastUsedAt,
      stale: item.stale,
      ...(note === undefined ? {} : { note }),
    },
  });
  return applied;
}

async function isLastAdmin(tx: StoreOps, userId: string): Promise<boolean> {
  for (const u of await tx.listUsers()) {
    if (u.id !== userId && u.status === 'active' && (await tx.listMemberships(u.id)).includes(ADMIN_ROLE))
      return false;
  }
  return true;
}
