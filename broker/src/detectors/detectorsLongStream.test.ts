import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../audit/AuditEvent.js';
import { defaultPolicyBundleDir } from '../policy/defaultPolicyBundleDir.js';
import { loadPolicyBundle } from '../policy/loadPolicyBundle.js';
import { auditTargetOf, auditUserOf } from './auditSubject.js';
import type { DetectorFinding } from './DetectorFinding.js';
import { createDetectors, DetectorEngine } from './DetectorEngine.js';
import { bundleDetectorContext, recordedDay, SYNTHETIC_DAY_START } from './syntheticDay.test-support.js';

const HOUR = 3_600_000;
const seqsOf = (records: readonly AuditRecord[], pick: (r: AuditRecord) => boolean): number[] =>
  records.filter(pick).map((r) => r.seq);

/**
 * Every detector of the default bundle over a long recorded stream: the benchmark's synthetic day
 * (100,000 records from 2,000 people, appended through the real SQLite chain and read back). The
 * day is normal traffic plus a few incidents the generator plants: break-glass activations,
 * refresh-token reuse, grants ended by a posture regression, and restricted access at night. Each
 * detector must report exactly those incidents and nothing else: no finding on a token refresh, a
 * failed login, a non-compliant posture report, an expired grant, a restricted JIT request or a
 * burst of anonymous refusals.
 */
describe('detectors over a long normal recorded day', () => {
  it('report only the incidents the generator planted', { timeout: 600_000 }, async () => {
    const bundle = await loadPolicyBundle(defaultPolicyBundleDir());
    const context = bundleDetectorContext(bundle);
    const records = await recordedDay(100_000);
    expect(records).toHaveLength(100_000);
    const engine = new DetectorEngine(createDetectors(bundle.detectors, context));
    const findings: DetectorFinding[] = [];
    for (const r of records) engine.observe(r, findings);
    const by = (id: string) => findings.filter((f) => f.detector === id);

    // The planted one-record incidents: one finding per record, at that record, and no other.
    const breakGlass = seqsOf(records, (r) => r.activity === 'jit.breakglass' && r.statusId === 1);
    const reuse = seqsOf(records, (r) => r.activity === 'token.refresh.reuse');
    const regression = seqsOf(
      records,
      (r) => r.activity === 'jit.grant.end' && r.data?.['reason'] === 'posture_regression',
    );
    // The day is long enough to hold every kind of incident (and the look-alikes around them).
    expect(breakGlass.length).toBeGreaterThan(0);
    expect(reuse.length).toBeGreaterThan(0);
    expect(regression.length).toBeGreaterThan(0);
    expect(seqsOf(records, (r) => r.activity === 'jit.grant.end').length).toBeGreaterThan(
      regression.length * 10,
    );
    expect(seqsOf(records, (r) => r.activity === 'token.refresh').length).toBeGreaterThan(30_000);
    expect(by('break-glass').map((f) => f.seq)).toEqual(breakGlass);
    expect(by('refresh-token-reuse').map((f) => f.seq)).toEqual(reuse);
    expect(by('posture-regression-elevated').map((f) => f.seq)).toEqual(regression);
    for (const f of [
      ...by('break-glass'),
      ...by('refresh-token-reuse'),
      ...by('posture-regression-elevated'),
    ])
      expect(f.userId, `${f.detector} at ${f.seq}`).toBe(auditUserOf(records[f.seq - 1] as AuditRecord));
    expect(by('refresh-token-reuse').every((f) => f.action === 'lock-principal')).toBe(true);

    // Restricted access granted at night (outside the bundle's 06-22 UTC): one finding per person
    // and hour, computed here from the records alone.
    const night = new Map<string, number>();
    for (const r of records) {
      const target = auditTargetOf(r);
      const userId = auditUserOf(r);
      if (!target || userId === undefined || r.data?.['asAdmin'] === true) continue;
      if (context.tierOf(target.type, target.id) !== 'restricted') continue;
      if (r.statusId !== 1 || (r.activity === 'authorize' && r.data?.['decision'] !== 'allow')) continue;
      if (
        !['jit.request', 'jit.breakglass', 'jit.grant.activate', 'authorize', 'credential.issue'].includes(
          r.activity,
        )
      )
        continue;
      const hour = Math.floor((r.time - SYNTHETIC_DAY_START) / HOUR);
      if (hour >= 6 && hour < 22) continue;
      const key = `${userId}:${hour}`;
      if (!night.has(key)) night.set(key, r.seq);
    }
    expect(night.size).toBeGreaterThan(0);
    expect(by('off-hours-restricted').map((f) => f.seq)).toEqual([...night.values()]);

    // Normal volume, denials and enrollments: nothing. (The day's enrollments are of spare devices
    // nobody asks from; the refusals are spread over the day and over 50 addresses.)
    expect(by('issuance-volume')).toEqual([]);
    expect(by('denial-burst')).toEqual([]);
    expect(by('new-device-restricted')).toEqual([]);
    expect(findings).toHaveLength(breakGlass.length + reuse.length + regression.length + night.size);
  });
});
