import type { AlertSeverity, DetectorAction } from '../store/alertRecords.js';
import type { DetectorId } from './detectorsConfigSchema.js';

/** What a detector reports: the broker turns it into an alert (and maybe a lock). */
export interface DetectorFinding {
  detector: DetectorId;
  severity: AlertSeverity;
  action: DetectorAction;
  userId: string | null;
  deviceId: string | null;
  summary: string;
  data: Record<string, unknown>;
  /** The audit record that made it fire, and its time. */
  seq: number;
  time: number;
  /** Same finding, same key, on every broker instance (alerts are stored once per key). */
  dedupeKey: string;
}
