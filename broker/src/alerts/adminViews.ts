import type { AlertView, DeadLetterView, LockView } from '@strongroom/shared/protocol/adminApi.js';
import type { AlertRecord, LockRecord, WebhookDeliveryRecord } from '../store/alertRecords.js';
import type { StoreOps } from '../store/Store.js';

/** E-mail addresses by user id, read once per listing. */
export async function emailsById(ops: Pick<StoreOps, 'listUsers'>): Promise<Map<string, string>> {
  return new Map((await ops.listUsers()).map((u) => [u.id, u.email]));
}

export function toAlertView(a: AlertRecord, emails: ReadonlyMap<string, string>): AlertView {
  return { ...a, userEmail: a.userId === null ? null : (emails.get(a.userId) ?? null) };
}

export function toLockView(l: LockRecord, emails: ReadonlyMap<string, string>): LockView {
  return {
    ...l,
    userEmail: emails.get(l.userId) ?? null,
    automatic: l.lockedBy === null,
    active: l.unlockedAt === null,
  };
}

/** Never the URL itself: a Slack-style webhook URL carries its secret in the path. */
export function toDeadLetterView(d: WebhookDeliveryRecord): DeadLetterView {
  return {
    id: d.id,
    destination: new URL(d.url).origin,
    event: d.event,
    alertId: d.alertId,
    status: d.status,
    attempts: d.attempts,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    nextAttemptAt: d.nextAttemptAt,
  };
}
