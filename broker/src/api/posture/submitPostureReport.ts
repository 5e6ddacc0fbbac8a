import type { PostureVerdict } from '@strongroom/shared/protocol/deviceApi.js';
import type { NonceConsumption } from '../../store/deviceRecords.js';
import type { ApiDeps } from '../ApiDeps.js';
import { endGrantsOnRegression } from '../../jit/endGrantsOnRegression.js';
import { apiAuditEvent } from '../apiAuditEvent.js';
import { auditRefusal } from '../auditRefusal.js';
import type { ApiCaller } from '../auth/ApiCaller.js';
import { assessCompliance, policyChecksOf } from './assessCompliance.js';
import { hashNonce } from './issuePostureNonce.js';
import { refusal, refusalError, type PostureRefusal } from './PostureRefusal.js';
import { verifyPostureReport } from './verifyPostureReport.js';

const nonceRefusal: Record<Exclude<NonceConsumption, 'ok'>, () => PostureRefusal> = {
  unknown: () => refusal('unknown_nonce', 'the nonce was not issued to this device'),
  wrong_device: () => refusal('unknown_nonce', 'the nonce was not issued to this device'),
  used: () => refusal('replayed_nonce', 'the nonce has already been used'),
  expired: () => refusal('expired_nonce', 'the nonce has expired; fetch a new one'),
};

/**
 * `POST /api/v1/posture`: verifies the signed report (verifyPostureReport), then in ONE transaction
 * consumes its nonce, stores it as the device's latest posture and appends the OCSF Device Config
 * State record (5003) with the compliance verdict. Every refusal is audited with its reason.
 */
export async function submitPostureReport(
  deps: Pick<ApiDeps, 'store' | 'now' | 'options' | 'eventsCommitted'>,
  caller: ApiCaller,
  jws: string,
): Promise<PostureVerdict> {
  const now = deps.now();
  const actor = { kind: 'user' as const, userId: caller.user.id, email: caller.user.email };
  const refuse = (r: PostureRefusal): Promise<never> =>
    auditRefusal(
      deps.store,
      apiAuditEvent('compliance', {
        name: 'posture.attest',
        outcome: 'failure',
        actor: r.deviceId ? { ...actor, deviceId: r.deviceId } : actor,
        time: now,
        srcIp: caller.srcIp,
        // A forged or tampered report is worth a look; a stale one is usually a slow clock.
        severityId: r.reason === 'bad_signature' || r.reason === 'not_your_device' ? 4 : 3,
        data: { reason: r.reason, detail: r.message, thumbprint: caller.thumbprint, bytes: jws.length },
      }),
      refusalError(r),
    );

  const verified = await verifyPostureReport(
    {
      store: deps.store,
      userId: caller.user.id,
      callerThumbprint: caller.thumbprint,
      now: deps.now,
      maxSkewSeconds: deps.options.postureReportMaxSkewSeconds,
    },
    jws,
  );
  if (!verified.ok) return refuse(verified);
  const { device, payload } = verified;
  const checks = payload.checks.map((c) => ({ id: c.id, status: c.status, observed: c.observed }));
  const compliant = assessCompliance(checks);

  const outcome = await deps.store.transaction(async (tx) => {
    const consumed = await tx.consumePostureNonce(hashNonce(payload.nonce), caller.user.id, device.id, now);
    if (consumed !== 'ok') return { ...nonceRefusal[consumed](), deviceId: device.id };
    const previous = await tx.getDevicePosture(device.id);
    await tx.putDevicePosture({
      deviceId: device.id,
      attestedAt: now,
      compliant,
      agentVersion: payload.agentVersion,
      platform: payload.platform,
      checks,
    });
    await tx.touchDevice(device.id, now);
    await tx.appendAudit(
      apiAuditEvent('compliance', {
        name: 'posture.attest',
        outcome: 'success',
        actor: { ...actor, deviceId: device.id },
        time: now,
        srcIp: caller.srcIp,
        // A device that was compliant and no longer is: a posture regression (detectors watch this).
        severityId: previous?.compliant === true && !compliant ? 3 : 1,
        data: {
          deviceId: device.id,
          compliant,
          previousCompliant: previous?.compliant ?? null,
          checks: policyChecksOf(checks),
          reportIat: payload.iat,
          agentVersion: payload.agentVersion,
          platform: payload.platform,
        },
      }),
    );
    // Same transaction: a failing device ends the user's restricted grants at once.
    await endGrantsOnRegression(tx, {
      userId: caller.user.id,
      deviceId: device.id,
      compliant,
      previousCompliant: previous?.compliant,
      failedChecks: checks.filter((c) => c.status === 'fail').map((c) => c.id),
      now,
      srcIp: caller.srcIp,
    });
    return undefined;
  });
  if (outcome) return refuse(outcome);
  deps.eventsCommitted?.();
  return {
    deviceId: device.id,
    compliant,
    attestedAt: new Date(now).toISOString(),
    checks: Object.fromEntries(checks.map((c) => [c.id, c.status])),
  };
}
