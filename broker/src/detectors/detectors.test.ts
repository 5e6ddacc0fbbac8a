import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../audit/AuditEvent.js';
import { compilePolicyBundle } from '../policy/compilePolicyBundle.js';
import { defaultPolicyBundleDir } from '../policy/defaultPolicyBundleDir.js';
import { readBundleDirectory } from '../policy/readBundleDirectory.js';
import type { DetectorFinding } from './DetectorFinding.js';
import { createDetectors, DetectorEngine } from './DetectorEngine.js';
import {
  decision,
  MINUTE,
  MONDAY_10_UTC,
  recordStream,
  runDetectors,
  testContext,
} from './detectorStreams.test-support.js';
import { defaultDetectorsConfig, detectorsConfigSchema } from './detectorsConfigSchema.js';

const internalModel = { type: 'Model', id: 'llama-ft-internal' };
const restrictedData = { type: 'Dataset', id: 'customer-events' };
const ids = (findings: DetectorFinding[]): string[] => findings.map((f) => f.detector);

/** `perWindow` uses of `resource` by `userId` in each 5-minute window for `windows` windows. */
function steadyUse(
  userId: string,
  resource: { type: string; id: string },
  perWindow: number,
  windows: number,
) {
  const s = recordStream();
  const records: AuditRecord[] = [];
  for (let w = 0; w < windows; w++)
    for (let i = 0; i < perWindow; i++)
      records.push(s.next(decision(userId, resource, MONDAY_10_UTC + w * 5 * MINUTE + i * 1000)));
  return { s, records, end: MONDAY_10_UTC + windows * 5 * MINUTE };
}

describe('issuance-volume: use far above the principal’s own baseline', () => {
  it('stays quiet on a steady, normal day of use', () => {
    const { records } = steadyUse('ann', internalModel, 6, 48);
    expect(runDetectors(records)).toEqual([]);
  });

  it('fires (lock-principal) once when one window is far above the learned baseline', () => {
    const { s, records, end } = steadyUse('ann', internalModel, 5, 24);
    for (let i = 0; i < 120; i++) records.push(s.next(decision('ann', internalModel, end + i * 500)));
    const findings = runDetectors(records);
    expect(ids(findings)).toEqual(['issuance-volume']);
    expect(findings[0]).toMatchObject({ userId: 'ann', action: 'lock-principal', severity: 'critical' });
    // The baseline moved from 2 towards 5 (half-life 24 windows): 10 × 3.5 < minEvents 40.
    expect(findings[0]?.data).toMatchObject({ count: 41, limit: 40, baseline: 3.5 });
  });

  it('learns a heavy user’s own baseline: their normal volume is not an anomaly', () => {
    const { s, records, end } = steadyUse('bob', internalModel, 30, 48);
    for (let i = 0; i < 60; i++) records.push(s.next(decision('bob', internalModel, end + i * 1000)));
    expect(runDetectors(records)).toEqual([]);
  });

  it('fires on the absolute restricted cap even without a spike over baseline, and not below it', () => {
    const s = recordStream();
    const pull = (n: number, start: number) =>
      Array.from({ length: n }, (_, i) =>
        s.next({
          activity: 'credential.issue',
          time: start + i * 2000,
          actor: { kind: 'user', userId: 'ann' },
          data: { target: restrictedData, kind: 'aws-web-identity' },
        }),
      );
    expect(runDetectors(pull(25, MONDAY_10_UTC))).toEqual([]);
    const findings = runDetectors(pull(40, MONDAY_10_UTC + 60 * MINUTE));
    expect(findings).toHaveLength(1);
    expect(findings[0]?.data).toMatchObject({ tier: 'restricted', tierCount: 26, cap: 25 });
  });

  it('counts a sliding window: a pull straddling a bucket edge gets the cap once, not twice', () => {
    const s = recordStream();
    const edge = MONDAY_10_UTC + 60 * MINUTE; // a bucket boundary
    const pull = (n: number, start: number) =>
      Array.from({ length: n }, (_, i) =>
        s.next({
          activity: 'credential.issue',
          time: start + i * 1000,
          actor: { kind: 'user', userId: 'ann' },
          data: { target: restrictedData, kind: 'ssh-certificate' },
        }),
      );
    // 24 in the last 24 s of one bucket and 24 in the first seconds of the next: 26 within 30 s
    // of each other is over the restricted cap of 25 (bucket counts alone said 24 and 24).
    const findings = runDetectors([...pull(24, edge - 24_000), ...pull(24, edge)]);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.data).toMatchObject({ tier: 'restricted', tierCount: 26, cap: 25 });
    expect(findings[0]?.time).toBe(edge + 1000);
  });

  it('raises one finding per window length for a pull that goes on, not one per bucket', () => {
    const s = recordStream();
    const records = Array.from({ length: 600 }, (_, i) =>
      s.next(decision('ann', internalModel, MONDAY_10_UTC + 2 * MINUTE + i * 1000)),
    );
    // 10 minutes of one use a second: past the limit of 40 after 41 s, then again 5 min later.
    const findings = runDetectors(records);
    expect(findings.map((f) => (f.time - MONDAY_10_UTC) / 1000)).toEqual([120 + 40, 120 + 40 + 300]);
  });

  it('does not count denials or an admin’s what-if decisions about someone else', () => {
    const s = recordStream();
    const records = Array.from({ length: 200 }, (_, i) => {
      const r = s.next(
        decision('ann', restrictedData, MONDAY_10_UTC + i * 100, i % 2 === 0 ? 'deny' : 'allow'),
      );
      return i % 2 === 0 ? r : { ...r, data: { ...r.data, asAdmin: true } };
    });
    expect(ids(runDetectors(records)).filter((d) => d === 'issuance-volume')).toEqual([]);
  });
});

describe('denial-burst', () => {
  const denials = (n: number, gapMs: number, userId?: string) => {
    const s = recordStream();
    return Array.from({ length: n }, (_, i) =>
      s.next({
        ...decision(userId ?? 'x', restrictedData, MONDAY_10_UTC + i * gapMs, 'deny'),
        ...(userId === undefined
          ? { activity: 'api.auth', actor: { kind: 'anonymous' as const }, srcIp: '203.0.113.9', data: {} }
          : {}),
      }),
    );
  };

  it('fires once for 15 refusals of one principal within a minute', () => {
    const findings = runDetectors(denials(30, 1000, 'ann'));
    expect(ids(findings)).toEqual(['denial-burst']);
    expect(findings[0]).toMatchObject({ userId: 'ann', action: 'alert', data: { count: 15 } });
  });

  it('stays quiet on 14 refusals, and on refusals spread over an afternoon', () => {
    expect(runDetectors(denials(14, 1000, 'ann'))).toEqual([]);
    expect(runDetectors(denials(40, 5 * MINUTE, 'ann'))).toEqual([]);
  });

  it('counts anonymous refusals per source address', () => {
    const findings = runDetectors(denials(15, 500));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ userId: null, data: { srcIp: '203.0.113.9' } });
  });

  it('ignores the broker’s own failures (a webhook that did not answer)', () => {
    const s = recordStream();
    const records = Array.from({ length: 30 }, (_, i) =>
      s.next({
        activity: 'webhook.deliver',
        statusId: 2,
        actor: { kind: 'broker' },
        time: MONDAY_10_UTC + i,
      }),
    );
    expect(runDetectors(records)).toEqual([]);
  });
});

describe('off-hours-restricted', () => {
  const at = (time: number, resource = restrictedData, userId = 'ann') =>
    recordStream(time).next(decision(userId, resource, time));

  it('fires for restricted access at 23:00 UTC on a Monday and on a Saturday morning', () => {
    expect(ids(runDetectors([at(Date.UTC(2025, 5, 2, 23, 0))]))).toEqual(['off-hours-restricted']);
    expect(ids(runDetectors([at(Date.UTC(2025, 5, 7, 10, 0))]))).toEqual(['off-hours-restricted']);
  });

  it('stays quiet inside working hours and for internal access at night', () => {
    expect(runDetectors([at(MONDAY_10_UTC)])).toEqual([]);
    expect(runDetectors([at(Date.UTC(2025, 5, 2, 23, 0), internalModel)])).toEqual([]);
  });

  it('uses the person’s own zone and hours', () => {
    const config = defaultDetectorsConfig();
    const la = { zone: 'America/Los_Angeles', start: 8, end: 18, days: [1, 2, 3, 4, 5] };
    const context = testContext({ ann: la }, config);
    // 17:00 UTC Monday = 10:00 in Los Angeles: working; 03:00 UTC Tuesday = 20:00 Monday there: not.
    expect(runDetectors([at(Date.UTC(2025, 5, 2, 17, 0))], config, context)).toEqual([]);
    const late = runDetectors([at(Date.UTC(2025, 5, 3, 3, 0))], config, context);
    expect(late[0]?.data).toMatchObject({ localHour: 20, weekday: 1 });
  });

  it('raises at most one finding per person per hour', () => {
    const s = recordStream();
    const night = Date.UTC(2025, 5, 2, 23, 0);
    const records = Array.from({ length: 10 }, (_, i) =>
      s.next(decision('ann', restrictedData, night + i * MINUTE)),
    );
    expect(runDetectors(records)).toHaveLength(1);
  });
});

describe('new-device-restricted', () => {
  const enroll = (s: ReturnType<typeof recordStream>, time: number, deviceId = 'dev-new') =>
    s.next({
      activity: 'device.enroll',
      classUid: 6003,
      time,
      actor: { kind: 'user', userId: 'ann', deviceId },
      data: { deviceId },
    });
  const request = (
    s: ReturnType<typeof recordStream>,
    time: number,
    target = { type: 'Role', id: 'restricted-data-reader' },
    deviceId?: string,
  ) =>
    s.next({
      activity: 'jit.request',
      classUid: 6003,
      time,
      actor: { kind: 'user', userId: 'ann', ...(deviceId ? { deviceId } : {}) },
      data: { target },
    });

  it('fires when a device enrolled 3 minutes ago asks for restricted access', () => {
    const s = recordStream();
    const findings = runDetectors([enroll(s, MONDAY_10_UTC), request(s, MONDAY_10_UTC + 3 * MINUTE)]);
    expect(ids(findings)).toEqual(['new-device-restricted']);
    expect(findings[0]).toMatchObject({
      userId: 'ann',
      deviceId: 'dev-new',
      data: { minutesAfterEnrollment: 3 },
    });
  });

  it('stays quiet after the window, for internal targets, and for asks from an older device', () => {
    const s = recordStream();
    expect(runDetectors([enroll(s, MONDAY_10_UTC), request(s, MONDAY_10_UTC + 20 * MINUTE)])).toEqual([]);
    const t = recordStream();
    expect(
      runDetectors([
        enroll(t, MONDAY_10_UTC),
        request(t, MONDAY_10_UTC + MINUTE, { type: 'Role', id: 'ml-researcher' }),
      ]),
    ).toEqual([]);
    const u = recordStream();
    expect(
      runDetectors([enroll(u, MONDAY_10_UTC), request(u, MONDAY_10_UTC + MINUTE, undefined, 'dev-old')]),
    ).toEqual([]);
  });
});

describe('single-record detectors', () => {
  it('posture regression while elevated fires on a grant ended for posture_regression only', () => {
    const s = recordStream();
    const end = (reason: string) =>
      s.next({
        activity: 'jit.grant.end',
        actor: { kind: 'broker' },
        data: {
          grantId: `g-${reason}`,
          holder: 'ann',
          reason,
          deviceId: 'd1',
          failedChecks: ['firewall'],
          target: { type: 'Role', id: 'restricted-data-reader' },
        },
      });
    const findings = runDetectors([end('dropped'), end('expired'), end('posture_regression')]);
    expect(ids(findings)).toEqual(['posture-regression-elevated']);
    expect(findings[0]).toMatchObject({
      userId: 'ann',
      deviceId: 'd1',
      dedupeKey: 'posture-regression-elevated:g-posture_regression',
    });
  });

  it('break-glass fires on every self-activation, not on an ordinary request', () => {
    const s = recordStream();
    const findings = runDetectors([
      s.next({ activity: 'jit.request', data: { target: { type: 'Role', id: 'ml-researcher' } } }),
      s.next({
        activity: 'jit.breakglass',
        severityId: 4,
        data: { requestId: 'r1', reason: 'prod GPU down', target: { type: 'Role', id: 'gpu-breakglass' } },
      }),
    ]);
    expect(ids(findings)).toEqual(['break-glass']);
    expect(findings[0]?.summary).toMatch(/Role gpu-breakglass self-activated: "prod GPU down"/);
  });

  it('refresh-token reuse locks the principal; other refresh failures do not', () => {
    const s = recordStream();
    const findings = runDetectors([
      s.next({ activity: 'token.refresh', statusId: 2, classUid: 6003, data: { error: 'invalid_grant' } }),
      s.next({ activity: 'token.refresh.reuse', statusId: 2, classUid: 6003, data: { grantId: 'G1' } }),
    ]);
    expect(findings).toEqual([
      expect.objectContaining({ detector: 'refresh-token-reuse', userId: 'ann', action: 'lock-principal' }),
    ]);
  });
});

describe('engine', () => {
  it('a snapshot restored into a fresh engine continues exactly where the first stopped', () => {
    const { s, records, end } = steadyUse('ann', internalModel, 5, 24);
    for (let i = 0; i < 120; i++) records.push(s.next(decision('ann', internalModel, end + i * 500)));
    const whole = runDetectors(records);
    const config = defaultDetectorsConfig();
    const first = new DetectorEngine(createDetectors(config, testContext()));
    const out: DetectorFinding[] = [];
    const half = records.length - 100;
    for (const r of records.slice(0, half)) first.observe(r, out);
    const second = new DetectorEngine(createDetectors(config, testContext()));
    second.restore(JSON.parse(JSON.stringify(first.snapshot())) as ReturnType<DetectorEngine['snapshot']>);
    for (const r of records) second.observe(r, out); // already-seen records are skipped by seq
    expect(out).toEqual(whole);
  });

  it('a disabled detector never fires', () => {
    const config = detectorsConfigSchema.parse({
      detectors: { 'break-glass': { enabled: false, severity: 'high', action: 'alert' } },
    });
    const s = recordStream();
    expect(runDetectors([s.next({ activity: 'jit.breakglass', data: { requestId: 'r' } })], config)).toEqual(
      [],
    );
  });
});

describe('detectors.json in the policy bundle', () => {
  it('the default bundle carries it, and an invalid one refuses the bundle with every problem named', async () => {
    const files = new Map(await readBundleDirectory(defaultPolicyBundleDir()));
    const good = compilePolicyBundle(files);
    expect(good.ok && good.bundle.detectors.detectors['issuance-volume'].caps['restricted']).toBe(25);
    files.set(
      'detectors.json',
      JSON.stringify({
        workingHours: { zone: 'Mars/Olympus', start: 8, end: 18, days: [1] },
        detectors: { 'denial-burst': { severity: 'urgent', action: 'alert' }, 'made-up': {} },
      }),
    );
    const bad = compilePolicyBundle(files);
    expect(bad.ok).toBe(false);
    const errors = bad.ok ? [] : bad.errors.join('\n');
    expect(errors).toMatch(/detectors\.json: workingHours\.zone: an IANA time zone/);
    expect(errors).toMatch(/detectors\.json: detectors\.denial-burst\.severity/);
    expect(errors).toMatch(/detectors\.json: detectors: Unrecognized key.*made-up/);
  });
});

describe('issuance records as the credential routes write them', () => {
  it('an SSH certificate names its host group, a service token its service: both count against the tier caps', () => {
    const s = recordStream();
    const ssh = Array.from({ length: 30 }, (_, i) =>
      s.next({
        activity: 'credential.issue',
        time: MONDAY_10_UTC + i * 1000,
        data: { kind: 'ssh-certificate', hostGroup: 'gpu-prod', grantId: 'g1' },
      }),
    );
    const context = {
      ...testContext(),
      tierOf: (type: string, id: string) =>
        `${type}::${id}` === 'HostGroup::gpu-prod' ? 'restricted' : undefined,
    };
    const findings = runDetectors(ssh, defaultDetectorsConfig(), context);
    expect(findings.map((f) => f.data['tier'])).toEqual(['restricted']);
  });
});

describe('denial-burst memory', () => {
  it('forgets quiet source addresses when many have been seen, and still catches a burst', () => {
    const s = recordStream();
    const records = [];
    for (let i = 0; i < 25_000; i++)
      records.push(
        s.next({
          activity: 'api.auth',
          statusId: 2,
          actor: { kind: 'anonymous' },
          srcIp: `198.51.${i >> 8}.${i & 255}`,
          time: MONDAY_10_UTC + i * 100,
        }),
      );
    for (let i = 0; i < 15; i++)
      records.push(
        s.next({
          activity: 'api.auth',
          statusId: 2,
          actor: { kind: 'anonymous' },
          srcIp: '203.0.113.1',
          time: MONDAY_10_UTC + 3_000_000 + i,
        }),
      );
    const config = defaultDetectorsConfig();
    const engine = new DetectorEngine(createDetectors(config, testContext()));
    const out: DetectorFinding[] = [];
    for (const r of records) engine.observe(r, out);
    expect(out.map((f) => f.data['srcIp'])).toEqual(['203.0.113.1']);
    const state = engine.snapshot().detectors['denial-burst'] as Record<string, unknown>;
    expect(Object.keys(state).length).toBeLessThanOrEqual(20_001);
  });
});
