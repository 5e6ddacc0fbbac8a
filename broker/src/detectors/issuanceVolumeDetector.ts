import type { Detector, DetectorContext } from './Detector.js';
import type { DetectorsConfig } from './detectorsConfigSchema.js';
import { auditTierOf, auditUserOf } from './auditSubject.js';

interface VolumeState {
  /** Start of the current bucket (ms). */
  b: number;
  /** Events in the current bucket, in total and per tier. */
  n: number;
  t: Record<string, number>;
  /** Exponentially weighted mean of past buckets (the principal's own baseline). */
  m: number;
  /** The bucket that already fired (-1: none); one finding per principal per bucket. */
  f: number;
  /**
   * The sliding count: events per slice of the last window (SLICES slices, oldest first), in total
   * and per tier, and the start of the newest slice. Absent in snapshots from before it existed.
   */
  r?: number[];
  rt?: Record<string, number[]>;
  rb?: number;
  /** When the last finding was raised: at most one per window length. */
  lf?: number;
}

/** Slices per window for the sliding count: it is exact to a tenth of the window. */
const SLICES = 10;

const sum = (values: readonly number[]): number => {
  let total = 0;
  for (const v of values) total += v;
  return total;
};

/** Moves the slice ring forward to the slice starting at `slice` (new slices empty). */
function advanceSlices(s: VolumeState, slice: number, sliceMs: number): number[] {
  if (s.r === undefined || s.rb === undefined) {
    s.r = new Array<number>(SLICES).fill(0);
    s.rt = {};
    s.rb = slice;
    return s.r;
  }
  if (slice <= s.rb) return s.r; // out of order by a little: counted in the newest slice
  const shift = Math.min(SLICES, (slice - s.rb) / sliceMs);
  const roll = (ring: number[]): void => {
    ring.splice(0, shift);
    for (let i = 0; i < shift; i++) ring.push(0);
  };
  roll(s.r);
  for (const ring of Object.values(s.rt ?? {})) roll(ring);
  s.rb = slice;
  return s.r;
}

/**
 * Issuance or grant use by one principal far above that principal's own baseline. Time is cut
 * into buckets of `windowSeconds`; when a bucket closes its count is folded into an exponentially
 * weighted mean (weight of the past per bucket: 0.5^(1/halfLifeWindows)); empty buckets decay it.
 * Fires when the open bucket's count passes max(minEvents, factor × mean), or when one tier's
 * count in it passes that tier's absolute cap: a principal whose baseline crept up slowly still
 * cannot pull more than the cap of restricted credentials per window.
 *
 * What is compared with the limit and the caps is a sliding count over the last `windowSeconds`
 * (ten slices), not the bucket's: with buckets alone a pull straddling a bucket edge got the whole
 * limit twice (seen: 68 certificates before the lock at a limit of 40). The buckets still feed the
 * baseline. At most one finding per window length: one burst, one finding.
 */
export function issuanceVolumeDetector(
  config: DetectorsConfig['detectors']['issuance-volume'],
  context: DetectorContext,
): Detector {
  const window = config.windowSeconds * 1000;
  const sliceMs = window / SLICES;
  const keep = 0.5 ** (1 / config.halfLifeWindows);
  const users = new Map<string, VolumeState>();
  return {
    id: 'issuance-volume',
    activities: config.activities,
    observe(record, out) {
      if (record.statusId !== 1) return;
      const data = record.data;
      // A decision counts as use only when it allowed, and only the caller's own (not an admin's what-if).
      if (record.activity === 'authorize' && (data?.['decision'] !== 'allow' || data['asAdmin'] === true))
        return;
      const userId = auditUserOf(record);
      if (userId === undefined) return;
      const bucket = record.time - (record.time % window);
      let s = users.get(userId);
      if (s === undefined) {
        s = { b: bucket, n: 0, t: {}, m: config.initialBaseline, f: -1 };
        users.set(userId, s);
      } else if (bucket > s.b) {
        const skipped = (bucket - s.b) / window - 1;
        s.m = (keep * s.m + (1 - keep) * s.n) * keep ** skipped;
        s.b = bucket;
        s.n = 0;
        s.t = {};
      }
      s.n += 1;
      const tier = auditTierOf(record, context.tierOf) ?? 'unknown';
      s.t[tier] = (s.t[tier] ?? 0) + 1;
      const ring = advanceSlices(s, record.time - (record.time % sliceMs), sliceMs);
      const tierRing = ((s.rt ??= {})[tier] ??= new Array<number>(SLICES).fill(0));
      ring[SLICES - 1] = (ring[SLICES - 1] ?? 0) + 1;
      tierRing[SLICES - 1] = (tierRing[SLICES - 1] ?? 0) + 1;
      if (s.f === s.b || (s.lf !== undefined && record.time - s.lf < window)) return;
      const count = sum(ring);
      const inTier = sum(tierRing);
      const limit = Math.max(config.minEvents, config.factor * s.m);
      const cap = config.caps[tier];
      const overCap = cap !== undefined && inTier > cap;
      if (count <= limit && !overCap) return;
      s.f = s.b;
      s.lf = record.time;
      const minutes = config.windowSeconds / 60;
      out.push({
        detector: 'issuance-volume',
        severity: config.severity,
        action: config.action,
        userId,
        deviceId: null,
        summary: overCap
          ? `${inTier} ${tier} credential issuances/uses in ${minutes} min (cap ${cap})`
          : `${count} credential issuances/uses in ${minutes} min, baseline ${s.m.toFixed(1)} (limit ${Math.ceil(limit)})`,
        data: {
          count,
          tier,
          tierCount: inTier,
          cap: cap ?? null,
          baseline: Math.round(s.m * 100) / 100,
          limit: Math.ceil(limit),
          windowSeconds: config.windowSeconds,
          activity: record.activity,
        },
        seq: record.seq,
        time: record.time,
        dedupeKey: `issuance-volume:${userId}:${s.b}`,
      });
    },
    snapshot: () => Object.fromEntries(users),
    restore(state) {
      users.clear();
      for (const [k, v] of Object.entries(state as Record<string, VolumeState>)) users.set(k, v);
    },
  };
}
