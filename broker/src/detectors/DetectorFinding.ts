import type { AlertRecord } from '../store/alertRecords.js';
import type { DetectorId } from './detectorsConfigSchema.js';

/**
 * What a detector reports; the broker turns it into an alert (raiseAlert) with the same severity,
 * action, principal, device, summary, facts and dedupe key (same finding, same key, on every
 * broker instance: alerts are stored once per key).
 */
export type DetectorFinding = Pick<
  AlertRecord,
  'severity' | 'action' | 'userId' | 'deviceId' | 'summary' | 'data' | 'dedupeKey'
> & {
  detector: DetectorId;
  /** The audit record that made it fire, and its time. */
  seq: number;
  time: number;
};
