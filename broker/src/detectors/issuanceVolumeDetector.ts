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
}

/**
 * Issuance or grant use by one principal far above that principal's own baseline. Time is cut
 * into buckets of `windowSeconds`; when a bucket closes its count is folded into an exponentially
 * weighted mean (weight of the past per bucket: 0.5^(1/halfLifeWindows)); empty buckets decay it.
 * Fires when the open bucket's count passes max(minEvents, factor × mean), or when one tier's
 * count in it passes that tier's absolute cap: a principal whose baseline crept up slowly still
 * cannot pull more than the cap of restricted credentials per window.
 */
export function issuanceVolumeDetector(
  config: DetectorsConfig['detectors']['issuance-volume'],
  context: DetectorContext,
): Detector {
  const window = config.windowSeconds * 1000;
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
      const inTier = (s.t[tier] = (s.t[tier] ?? 0) + 1);
      if (s.f === s.b) return;
      const limit = Math.max(config.minEvents, config.factor * s.m);
      const cap = config.caps[tier];
      const overCap = cap !== undefined && inTier > cap;
      if (s.n <= limit && !overCap) return;
      s.f = s.b;
      const minutes = config.windowSeconds / 60;
      out.push({
        detector: 'issuance-volume',
        severity: config.severity,
        action: config.action,
        userId,
        deviceId: null,
        summary: overCap
          ? `${inTier} ${tier} credential issuances/uses in ${minutes} min (cap ${cap})`
          : `${s.n} credential issuances/uses in ${minutes} min, baseline ${s.m.toFixed(1)} (limit ${Math.ceil(limit)})`,
        data: {
          count: s.n,
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
