import type { AuditRecord } from '../audit/AuditEvent.js';
import type { Detector, DetectorContext } from './Detector.js';
import type { DetectorFinding } from './DetectorFinding.js';
import type { DetectorsConfig } from './detectorsConfigSchema.js';
import { denialBurstDetector } from './denialBurstDetector.js';
import { eventDetector, matchBreakGlass, matchPostureRegression, matchTokenReuse } from './eventDetector.js';
import { issuanceVolumeDetector } from './issuanceVolumeDetector.js';
import { newDeviceDetector } from './newDeviceDetector.js';
import { offHoursDetector } from './offHoursDetector.js';

/** The detectors a bundle's detectors.json switches on, each with its severity and action. */
export function createDetectors(config: DetectorsConfig, context: DetectorContext): Detector[] {
  const d = config.detectors;
  const all: Array<[boolean, () => Detector]> = [
    [d['issuance-volume'].enabled, () => issuanceVolumeDetector(d['issuance-volume'], context)],
    [d['denial-burst'].enabled, () => denialBurstDetector(d['denial-burst'])],
    [d['off-hours-restricted'].enabled, () => offHoursDetector(d['off-hours-restricted'], context)],
    [d['new-device-restricted'].enabled, () => newDeviceDetector(d['new-device-restricted'], context)],
    [
      d['posture-regression-elevated'].enabled,
      () =>
        eventDetector(
          'posture-regression-elevated',
          d['posture-regression-elevated'],
          ['jit.grant.end'],
          matchPostureRegression,
        ),
    ],
    [
      d['break-glass'].enabled,
      () => eventDetector('break-glass', d['break-glass'], ['jit.breakglass'], matchBreakGlass),
    ],
    [
      d['refresh-token-reuse'].enabled,
      () =>
        eventDetector(
          'refresh-token-reuse',
          d['refresh-token-reuse'],
          ['token.refresh.reuse', 'token.issue.reuse'],
          matchTokenReuse,
        ),
    ],
  ];
  return all.filter(([enabled]) => enabled).map(([, make]) => make());
}

/** Detector state that survives a restart: the last record seen and each detector's state. */
export interface DetectorSnapshot {
  seq: number;
  detectors: Record<string, unknown>;
}

/**
 * Runs detectors over audit records in log order. Each record goes only to the detectors that read
 * its activity (and failures to those that read every failure): one map lookup per record when
 * nothing is interested, which is most of the log.
 */
export class DetectorEngine {
  readonly #byActivity = new Map<string, Detector[]>();
  readonly #onFailure: Detector[] = [];
  readonly #detectors: readonly Detector[];
  #seq = 0;

  constructor(detectors: readonly Detector[]) {
    this.#detectors = detectors;
    for (const detector of detectors) {
      if (detector.activities === 'failures') {
        this.#onFailure.push(detector);
        continue;
      }
      for (const activity of detector.activities) {
        const list = this.#byActivity.get(activity) ?? [];
        if (!list.includes(detector)) list.push(detector);
        this.#byActivity.set(activity, list);
      }
    }
  }

  /** The last record observed (0 before any). */
  get seq(): number {
    return this.#seq;
  }

  /** Feeds one record (in seq order; older or repeated records are ignored) and collects findings. */
  observe(record: AuditRecord, out: DetectorFinding[]): void {
    if (record.seq <= this.#seq) return;
    this.#seq = record.seq;
    const readers = this.#byActivity.get(record.activity);
    if (readers !== undefined) for (const d of readers) d.observe(record, out);
    if (record.statusId === 2)
      for (const d of this.#onFailure) if (!readers?.includes(d)) d.observe(record, out);
  }

  snapshot(): DetectorSnapshot {
    return {
      seq: this.#seq,
      detectors: Object.fromEntries(this.#detectors.map((d) => [d.id, d.snapshot()])),
    };
  }

  /** Restores a snapshot; a detector missing from it (newly enabled) starts empty. */
  restore(snapshot: DetectorSnapshot): void {
    this.#seq = snapshot.seq;
    for (const d of this.#detectors) {
      const state = snapshot.detectors[d.id];
      if (state !== undefined) d.restore(state);
    }
  }
}
