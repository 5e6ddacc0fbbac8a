import type { AuditEventInput, AuditRecord } from '../audit/AuditEvent.js';
import type { PolicyBundle } from '../policy/PolicyBundle.js';
import { uidKey } from '../policy/collectPolicyReads.js';
import { openTempSqliteStore } from '../store/tempSqliteStore.js';
import type { DetectorContext } from './Detector.js';

/**
 * A synthetic day of broker traffic for 2,000 people (token refreshes, decisions, issuance,
 * posture, logins, JIT, refusals, enrollments, rare break-glass and refresh-token reuse), seeded so
 * every run replays the same day. Shared by the detector benchmark (bench/src/detectorBench.ts) and
 * the detectors' long-stream test (detectorsLongStream.test.ts).
 */

/** Monday 2025-06-02 00:00 UTC: the synthetic day runs from here for 24 hours. */
export const SYNTHETIC_DAY_START = Date.UTC(2025, 5, 2, 0, 0);
const resources = [
  ['Dataset', 'customer-pii'],
  ['BucketPrefix', 's3://corp-ml/raw/'],
  ['Model', 'llama-ft-internal'],
  ['Service', 'model-registry'],
  ['Dataset', 'public-benchmarks'],
  ['HostGroup', 'gpu-a100'],
] as const;

/** A seeded PRNG (mulberry32) so every run replays the same recorded day. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function syntheticDay(count: number): AuditEventInput[] {
  const r = rng(9);
  const events: AuditEventInput[] = [];
  for (let i = 0; i < count; i++) {
    const time = SYNTHETIC_DAY_START + Math.floor((i / count) * 86_400_000);
    const userId = `u${Math.floor(r() * 2000)}`;
    const actor = { kind: 'user' as const, userId, deviceId: `d-${userId}` };
    const [type, id] = resources[Math.floor(r() * resources.length)] ?? resources[0];
    const resource = { type, id };
    const p = r();
    const base = { actor, time, srcIp: '10.0.0.7' };
    if (p < 0.35)
      events.push({
        ...base,
        classUid: 6003,
        activityId: 3,
        activity: 'token.refresh',
        statusId: 1,
        data: { grantId: `g-${userId}` },
      });
    else if (p < 0.6) {
      const allow = r() < 0.85;
      events.push({
        ...base,
        classUid: 3003,
        activityId: 99,
        activity: 'authorize',
        statusId: allow ? 1 : 2,
        data: {
          principal: userId,
          action: 'read',
          resource,
          decision: allow ? 'allow' : 'deny',
          asAdmin: false,
        },
      });
    } else if (p < 0.7)
      events.push({
        ...base,
        classUid: 3003,
        activityId: 99,
        activity: 'credential.issue',
        statusId: 1,
        data: { target: resource, kind: 'service-token' },
      });
    else if (p < 0.8)
      events.push({
        ...base,
        classUid: 5003,
        activityId: 99,
        activity: 'posture.report',
        statusId: 1,
        data: { deviceId: actor.deviceId, compliant: r() < 0.95 },
      });
    else if (p < 0.85)
      events.push({
        ...base,
        classUid: 3002,
        activityId: 1,
        activity: 'login',
        statusId: r() < 0.95 ? 1 : 2,
        data: {},
      });
    else if (p < 0.88)
      events.push({
        ...base,
        classUid: 6003,
        activityId: 1,
        activity: 'jit.request',
        statusId: 1,
        data: { target: { type: 'Role', id: 'restricted-data-reader' } },
      });
    else if (p < 0.9)
      events.push({ ...base, classUid: 6003, activityId: 3, activity: 'jit.approve', statusId: 1, data: {} });
    else if (p < 0.92)
      events.push({
        ...base,
        classUid: 3003,
        activityId: 1,
        activity: 'jit.grant.activate',
        statusId: 1,
        data: { target: { type: 'Role', id: 'ml-researcher' } },
      });
    else if (p < 0.94)
      events.push({
        ...base,
        classUid: 3003,
        activityId: 99,
        activity: 'jit.grant.end',
        statusId: 1,
        data: { holder: userId, reason: r() < 0.05 ? 'posture_regression' : 'expired', grantId: `g${i}` },
      });
    else if (p < 0.97)
      events.push({
        classUid: 6003,
        activityId: 99,
        activity: 'api.auth',
        statusId: 2,
        actor: { kind: 'anonymous' },
        time,
        srcIp: `203.0.113.${Math.floor(r() * 50)}`,
        data: {},
      });
    else if (p < 0.99)
      events.push({
        ...base,
        classUid: 6003,
        activityId: 1,
        activity: 'device.enroll',
        statusId: 1,
        data: { deviceId: `d-${userId}-${i}` },
      });
    else if (p < 0.9995)
      events.push({
        ...base,
        classUid: 6003,
        activityId: 2,
        activity: 'devices.list',
        statusId: 1,
        data: {},
      });
    else if (p < 0.9998)
      events.push({
        ...base,
        classUid: 6003,
        activityId: 1,
        activity: 'jit.breakglass',
        statusId: 1,
        severityId: 4,
        data: { requestId: `r${i}`, target: { type: 'Role', id: 'gpu-breakglass' } },
      });
    else
      events.push({
        ...base,
        classUid: 6003,
        activityId: 3,
        activity: 'token.refresh.reuse',
        statusId: 2,
        severityId: 4,
        data: { grantId: `g-${userId}` },
      });
  }
  return events;
}

/** Records as the store keeps them: appended through the real chain, read back. */
export async function recordedDay(count: number): Promise<AuditRecord[]> {
  const temp = await openTempSqliteStore('sr-detector-bench-');
  try {
    const events = syntheticDay(count);
    for (let i = 0; i < events.length; i += 10_000)
      await temp.store.appendAuditBatch(events.slice(i, i + 10_000));
    const records: AuditRecord[] = [];
    for (let seq = 1; ;) {
      const batch = await temp.store.readAudit(seq, 20_000);
      if (batch.length === 0) break;
      records.push(...batch);
      seq = (batch[batch.length - 1]?.seq ?? seq) + 1;
    }
    return records;
  } finally {
    await temp.dispose();
  }
}

/** The detectors' view of a bundle: tiers from its catalog, the bundle's default working hours. */
export function bundleDetectorContext(bundle: PolicyBundle): DetectorContext {
  return {
    tierOf: (type, id) => {
      const tier = bundle.catalog.get(uidKey(type, id))?.attrs['tier'];
      return typeof tier === 'string' ? tier : undefined;
    },
    workingHoursOf: () => bundle.detectors.workingHours,
  };
}
