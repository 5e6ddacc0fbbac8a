import { randomUUID } from 'node:crypto';
import { detectionFindingEvent } from '../audit/ocsf.js';
import type { DetectorFinding } from '../detectors/DetectorFinding.js';
import type { WebhookTarget } from '../events/deliverWebhook.js';
import { activeAdmins } from '../locks/activeAdmins.js';
import { lockInTx, type LockOutcome } from '../locks/lockPrincipal.js';
import type { AlertRecord } from '../store/alertRecords.js';
import type { Store, StoreOps } from '../store/Store.js';
import { alertMessage } from './alertMessage.js';
import { enqueueWebhookMessage } from './WebhookOutbox.js';

export interface RaiseAlertDeps {
  store: Store;
  now: () => number;
  webhooks: readonly WebhookTarget[];
}

export interface RaisedAlert {
  alert: AlertRecord;
  lock: LockOutcome | undefined;
  /** Why the finding's lock action was not carried out, when it was not. */
  lockSkipped?: string;
  webhooks: number;
}

/**
 * Turns a detector finding into an alert, in one transaction with everything it causes: the alert
 * (stored once per dedupe key, so several broker instances tailing one log raise it once), its
 * audit record (OCSF Detection Finding 2004), `alert.raised` on every admin's event stream, the
 * webhook messages (outbox), and for `lock-principal`/`lock-device` the lock itself (lockInTx).
 * Returns undefined when the alert already existed. The caller wakes the event stream and the
 * outbox after the commit.
 *
 * Two automatic locks are not made: of someone the store does not know, and of the last active
 * admin (nobody would be left to unlock); the alert says so and admins still see it.
 */
export async function raiseAlert(
  deps: RaiseAlertDeps,
  finding: DetectorFinding,
): Promise<RaisedAlert | undefined> {
  const now = deps.now();
  return deps.store.transaction(async (tx) => {
    const alert: AlertRecord = {
      id: randomUUID(),
      detector: finding.detector,
      severity: finding.severity,
      action: finding.action,
      userId: finding.userId,
      deviceId: finding.deviceId,
      summary: finding.summary,
      data: finding.data,
      auditSeq: finding.seq,
      dedupeKey: finding.dedupeKey,
      createdAt: now,
      status: 'open',
      ackedBy: null,
      ackedAt: null,
      ackNote: null,
      lockId: null,
    };
    if (!(await tx.createAlert(alert))) return undefined;
    const user = finding.userId === null ? undefined : await tx.getUser(finding.userId);
    const admins = await activeAdmins(tx);
    let lock: LockOutcome | undefined;
    let lockSkipped: string | undefined;
    if (finding.action !== 'alert') {
      lockSkipped = await lockRefusal(tx, finding, user?.id, admins);
      if (lockSkipped === undefined && user) {
        const device = finding.action === 'lock-device' && finding.deviceId !== null;
        lock = await lockInTx(
          tx,
          {
            kind: device ? 'device' : 'user',
            userId: user.id,
            ...(device && finding.deviceId !== null ? { deviceId: finding.deviceId } : {}),
            reason: `${finding.detector}: ${finding.summary}`,
            alertId: alert.id,
          },
          now,
        );
        alert.lockId = lock.lock.id;
        await tx.setAlertLock(alert.id, lock.lock.id);
      }
    }
    await tx.appendAudit(
      detectionFindingEvent('create', {
        name: 'alert.raise',
        outcome: 'success',
        actor: { kind: 'broker' },
        time: now,
        severity: finding.severity,
        data: {
          alertId: alert.id,
          detector: alert.detector,
          action: alert.action,
          principal: alert.userId,
          deviceId: alert.deviceId,
          summary: alert.summary,
          auditSeq: alert.auditSeq,
          facts: alert.data,
          lockId: alert.lockId,
          ...(lockSkipped === undefined ? {} : { lockSkipped }),
        },
      }),
    );
    const view = { ...alert, userEmail: user?.email ?? null, lockSkipped: lockSkipped ?? null };
    for (const admin of admins)
      await tx.appendUserEvent({ userId: admin.id, type: 'alert.raised', data: view, createdAt: now });
    const webhooks = await enqueueWebhookMessage(tx, deps.webhooks, alertMessage(view), now, alert.id);
    return { alert, lock, ...(lockSkipped === undefined ? {} : { lockSkipped }), webhooks };
  });
}

async function lockRefusal(
  tx: Pick<StoreOps, 'getDevice'>,
  finding: DetectorFinding,
  userId: string | undefined,
  admins: ReadonlyArray<{ id: string }>,
): Promise<string | undefined> {
  if (userId === undefined) return 'no known principal to lock';
  if (finding.action === 'lock-device' && finding.deviceId !== null) {
    const device = await tx.getDevice(finding.deviceId);
    if (!device || device.userId !== userId) return 'the device is not the principal’s';
    return undefined;
  }
  if (admins.length === 1 && admins[0]?.id === userId) return 'the principal is the last active admin';
  return undefined;
}
