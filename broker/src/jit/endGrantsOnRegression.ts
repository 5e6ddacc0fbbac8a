import type { StoreOps } from '../store/Store.js';
import { authorizeSessionEvent } from './authorizeSessionEvent.js';
import { endGrantInTx } from './endGrantInTx.js';
import { grantStateAt } from './grantStateAt.js';

export interface ComplianceChange {
  userId: string;
  deviceId: string;
  compliant: boolean;
  /** The device's verdict before this attestation; undefined on its first one. */
  previousCompliant: boolean | undefined;
  failedChecks: readonly string[];
  now: number;
  srcIp?: string;
}

const broker = { kind: 'broker' as const };

/**
 * Runs inside the transaction that stores a new attestation (submitPostureReport.ts). When the
 * device is not compliant, the user's grants in force to RESTRICTED targets end at once, reason
 * `posture_regression` (issue 5: "drop, revoke, lock and a posture regression end grants at once"):
 * policy would already deny their use (posture forbids, policies/posture.cedar), but ending them
 * means a later fix of the device does not silently bring restricted access back without a new,
 * approved request. All of the user's restricted grants end, not only those "of" this device:
 * a grant is held by a person, and that person has just reported a failing device. Each end is
 * audited (OCSF Authorize Session 3003) and put on the user's event stream, and a changed verdict
 * is a `device.compliance` event. The caller calls `eventsCommitted()` after the commit.
 * Returns the ids of the grants ended.
 */
export async function endGrantsOnRegression(
  tx: Pick<
    StoreOps,
    'listGrants' | 'endGrant' | 'revokeCredentialsOfGrant' | 'appendAudit' | 'appendUserEvent'
  >,
  change: ComplianceChange,
): Promise<string[]> {
  const { userId, deviceId, compliant, previousCompliant, now } = change;
  const ended: string[] = [];
  if (!compliant) {
    for (const grant of await tx.listGrants(userId, ['active'])) {
      if (grant.tier !== 'restricted' || grantStateAt(grant, now) !== 'active') continue;
      if (!(await endGrantInTx(tx, grant, now, 'posture_regression', { actor: broker, time: now }))) continue;
      ended.push(grant.id);
      await tx.appendAudit(
        authorizeSessionEvent('other', {
          name: 'jit.grant.end',
          outcome: 'success',
          actor: broker,
          time: now,
          ...(change.srcIp === undefined ? {} : { srcIp: change.srcIp }),
          severityId: 3,
          data: {
            grantId: grant.id,
            requestId: grant.requestId,
            holder: userId,
            target: grant.target,
            reason: 'posture_regression',
            deviceId,
            failedChecks: change.failedChecks,
            endedAt: now,
          },
        }),
      );
      await tx.appendUserEvent({
        userId,
        type: 'grant.ended',
        data: { grantId: grant.id, target: grant.target, reason: 'posture_regression', endedAt: now },
        createdAt: now,
        dedupeKey: `grant:${grant.id}:ended`,
      });
    }
  }
  const changed = previousCompliant === undefined ? !compliant : previousCompliant !== compliant;
  if (changed || ended.length > 0) {
    await tx.appendUserEvent({
      userId,
      type: 'device.compliance',
      data: {
        deviceId,
        compliant,
        previousCompliant: previousCompliant ?? null,
        failedChecks: change.failedChecks,
        grantsEnded: ended,
      },
      createdAt: now,
    });
  }
  return ended;
}
