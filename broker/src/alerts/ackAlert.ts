import type { AlertView } from '@strongroom/shared/protocol/adminApi.js';
import { auditRefusal } from '../api/auditRefusal.js';
import { detectionFindingEvent } from '../audit/ocsf.js';
import { BrokerError } from '../errors/BrokerError.js';
import type { AdminCaller } from '../locks/AdminCaller.js';
import type { Store } from '../store/Store.js';
import { emailsById, toAlertView } from './adminViews.js';

/** An admin acknowledges an open alert (audited: OCSF Detection Finding 2004, activity Update). */
export async function ackAlert(
  deps: { store: Store; now: () => number },
  caller: AdminCaller,
  alertId: string,
  note: string | undefined,
): Promise<AlertView> {
  const { store } = deps;
  const now = deps.now();
  const actor = { kind: 'admin' as const, userId: caller.user.id, email: caller.user.email };
  const done = await store.transaction(async (tx) => {
    const alert = await tx.getAlert(alertId);
    if (!alert) return { error: new BrokerError('not_found', 'no such alert'), reason: 'unknown_alert' };
    if (!(await tx.ackAlert(alert.id, caller.user.id, now, note ?? null)))
      return {
        error: new BrokerError('conflict', 'the alert is already acknowledged'),
        reason: 'already_acknowledged',
      };
    await tx.appendAudit(
      detectionFindingEvent('update', {
        name: 'alert.ack',
        outcome: 'success',
        actor,
        time: now,
        srcIp: caller.srcIp,
        data: { alertId: alert.id, detector: alert.detector, principal: alert.userId, note: note ?? null },
      }),
    );
    return { view: toAlertView((await tx.getAlert(alert.id)) ?? alert, await emailsById(tx)) };
  });
  if (done.error !== undefined)
    return auditRefusal(
      store,
      detectionFindingEvent('update', {
        name: 'alert.ack',
        outcome: 'failure',
        actor,
        time: now,
        srcIp: caller.srcIp,
        data: { alertId, reason: done.reason },
      }),
      done.error,
    );
  return done.view;
}
