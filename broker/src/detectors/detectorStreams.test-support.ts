import type { AuditRecord } from '../audit/AuditEvent.js';
import type { DetectorContext } from './Detector.js';
import type { DetectorFinding } from './DetectorFinding.js';
import { defaultDetectorsConfig, type DetectorsConfig, type WorkingHours } from './detectorsConfigSchema.js';
import { createDetectors, DetectorEngine } from './DetectorEngine.js';

/** Monday 2025-06-02 10:00 UTC: inside the default working hours. */
export const MONDAY_10_UTC = Date.UTC(2025, 5, 2, 10, 0, 0);
export const MINUTE = 60_000;

const tiers: Record<string, string> = {
  'Dataset::customer-events': 'restricted',
  'Role::restricted-data-reader': 'restricted',
  'Model::llama-ft-internal': 'internal',
  'Dataset::public-benchmarks': 'public',
};

export const testContext = (
  hours: Record<string, WorkingHours> = {},
  config = defaultDetectorsConfig(),
): DetectorContext => ({
  tierOf: (type, id) => tiers[`${type}::${id}`],
  workingHoursOf: (userId) => hours[userId] ?? config.workingHours,
});

/** Builds audit records in seq order with sensible defaults (a user's successful action). */
export function recordStream(start = MONDAY_10_UTC): {
  next(overrides: Partial<AuditRecord> & { activity: string }): AuditRecord;
} {
  let seq = 0;
  return {
    next(overrides) {
      seq += 1;
      return {
        seq,
        prevHash: '0'.repeat(64),
        hash: '0'.repeat(64),
        classUid: 3003,
        activityId: 99,
        statusId: 1,
        actor: { kind: 'user', userId: 'ann', email: 'ann@example.test' },
        time: start + seq * 1000,
        ...overrides,
      };
    },
  };
}

/** An authorize decision by `userId` on `resource` (allow unless said). */
export function decision(
  userId: string,
  resource: { type: string; id: string },
  time: number,
  decisionValue: 'allow' | 'deny' = 'allow',
): Partial<AuditRecord> & { activity: string } {
  return {
    activity: 'authorize',
    statusId: decisionValue === 'allow' ? 1 : 2,
    time,
    actor: { kind: 'user', userId },
    data: { principal: userId, action: 'read', resource, decision: decisionValue, asAdmin: false },
  };
}

/** Runs the detectors of `config` over the records and returns every finding. */
export function runDetectors(
  records: readonly AuditRecord[],
  config: DetectorsConfig = defaultDetectorsConfig(),
  context: DetectorContext = testContext({}, config),
): DetectorFinding[] {
  const engine = new DetectorEngine(createDetectors(config, context));
  const out: DetectorFinding[] = [];
  for (const r of records) engine.observe(r, out);
  return out;
}
