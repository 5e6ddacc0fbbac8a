import type { AuditRecord } from '../audit/AuditEvent.js';
import type { Detector } from './Detector.js';
import type { DetectorId } from './detectorsConfigSchema.js';
import type { DetectorFinding } from './DetectorFinding.js';
import { auditDeviceOf, auditUserOf } from './auditSubject.js';

/** What a one-record detector says about a matching record. */
export interface EventMatch {
  summary: string;
  /** Stable per incident (e.g. the grant or request id), so a finding is raised once. */
  key: string;
  data?: Record<string, unknown>;
}

/**
 * A detector that fires on single records (no state): each matching record is a finding. Used
 * for break-glass use, posture regression while elevated and refresh-token reuse.
 */
export function eventDetector(
  id: DetectorId,
  config: { severity: DetectorFinding['severity']; action: DetectorFinding['action'] },
  activities: readonly string[],
  match: (record: AuditRecord) => EventMatch | undefined,
): Detector {
  return {
    id,
    activities,
    observe(record, out) {
      const found = match(record);
      if (found === undefined) return;
      out.push({
        detector: id,
        severity: config.severity,
        action: config.action,
        userId: auditUserOf(record) ?? null,
        deviceId: auditDeviceOf(record) ?? null,
        summary: found.summary,
        data: { activity: record.activity, ...found.data },
        seq: record.seq,
        time: record.time,
        dedupeKey: `${id}:${found.key}`,
      });
    },
    snapshot: () => ({}),
    restore: () => undefined,
  };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const targetText = (value: unknown): string => {
  const t = value as { type?: unknown; id?: unknown } | undefined;
  return typeof t?.type === 'string' && typeof t.id === 'string' ? `${t.type} ${t.id}` : 'a target';
};

/** Break-glass self-activation (jit.breakglass): loud by design (ARCHITECTURE.md). */
export function matchBreakGlass(record: AuditRecord): EventMatch | undefined {
  if (record.statusId !== 1) return undefined;
  const requestId = text(record.data?.['requestId']) ?? String(record.seq);
  return {
    summary: `break-glass: ${targetText(record.data?.['target'])} self-activated: "${text(record.data?.['reason']) ?? ''}"`,
    key: requestId,
    data: { requestId, target: record.data?.['target'] ?? null },
  };
}

/** A restricted grant ended because the holder's device failed its posture (endGrantsOnRegression). */
export function matchPostureRegression(record: AuditRecord): EventMatch | undefined {
  if (record.data?.['reason'] !== 'posture_regression') return undefined;
  const grantId = text(record.data['grantId']) ?? String(record.seq);
  const failed = Array.isArray(record.data['failedChecks']) ? (record.data['failedChecks'] as unknown[]) : [];
  return {
    summary: `posture regressed while elevated: grant on ${targetText(record.data['target'])} ended (failed: ${failed.join(', ') || 'unknown'})`,
    key: grantId,
    data: { grantId, failedChecks: failed },
  };
}

/** A rotated-out refresh token or a used code presented again (auditProviderActivity). */
export function matchTokenReuse(record: AuditRecord): EventMatch | undefined {
  const grantId = text(record.data?.['grantId']) ?? String(record.seq);
  return {
    summary: `${record.activity === 'token.refresh.reuse' ? 'refresh token' : 'authorization code'} presented again: the session was revoked (likely stolen)`,
    key: grantId,
    data: { grantId, clientId: record.data?.['clientId'] ?? null },
  };
}
