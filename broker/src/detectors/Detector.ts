import type { AuditRecord } from '../audit/AuditEvent.js';
import type { DetectorFinding } from './DetectorFinding.js';
import type { DetectorId, WorkingHours } from './detectorsConfigSchema.js';

/** What detectors may ask beyond the record itself; answered from memory (no I/O per record). */
export interface DetectorContext {
  /** The tier (`public`/`internal`/`restricted`) of a catalog entity (an asset or a Role), if known. */
  tierOf(type: string, id: string): string | undefined;
  /** The person's working hours (their own, else the bundle's default). */
  workingHoursOf(userId: string): WorkingHours;
}

/**
 * One detector: a pure function of the audit records it has seen so far. `observe` must be fast
 * (no I/O, no allocation beyond its state) and push what it finds onto `out`. Its state is plain
 * JSON (`snapshot`/`restore`), so it survives a restart without replaying the whole log.
 */
export interface Detector {
  readonly id: DetectorId;
  /** The audit activities it reads; the engine hands it nothing else. */
  readonly activities: readonly string[] | 'failures';
  observe(record: AuditRecord, out: DetectorFinding[]): void;
  snapshot(): unknown;
  restore(state: unknown): void;
}
