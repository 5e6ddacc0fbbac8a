import type { Detector } from './Detector.js';
import type { DetectorsConfig } from './detectorsConfigSchema.js';
import { auditUserOf } from './auditSubject.js';

interface BurstState {
  /** Times of the last `threshold` refusals, oldest first. */
  ts: number[];
  /** No new finding for this key before this time (one per burst window). */
  quietUntil: number;
}

/** Keys kept before the ones with nothing in the window are dropped (bounds memory and snapshots). */
const MAX_KEYS = 20_000;

function prune(keys: Map<string, BurstState>, since: number): void {
  for (const [key, s] of keys)
    if ((s.ts[s.ts.length - 1] ?? 0) < since && s.quietUntil < since) keys.delete(key);
}

/**
 * A burst of refusals: `threshold` failed records (a denied decision or request, a refused API
 * call or sign-in) for one principal, or from one source address when no principal is known,
 * within `windowSeconds`. The broker's own failures (a webhook that did not answer) do not count.
 */
export function denialBurstDetector(config: DetectorsConfig['detectors']['denial-burst']): Detector {
  const window = config.windowSeconds * 1000;
  const keys = new Map<string, BurstState>();
  return {
    id: 'denial-burst',
    activities: 'failures',
    observe(record, out) {
      if (record.actor.kind === 'broker') return;
      const userId = auditUserOf(record);
      const key = userId ?? (record.srcIp === undefined ? undefined : `ip:${record.srcIp}`);
      if (key === undefined) return;
      let s = keys.get(key);
      if (s === undefined) {
        // Anonymous refusals come from any number of addresses: forget quiet keys before the map grows.
        if (keys.size >= MAX_KEYS) prune(keys, record.time - window);
        keys.set(key, (s = { ts: [], quietUntil: 0 }));
      }
      s.ts.push(record.time);
      if (s.ts.length > config.threshold) s.ts.shift();
      const oldest = s.ts[0] ?? record.time;
      if (s.ts.length < config.threshold || record.time - oldest > window || record.time < s.quietUntil)
        return;
      s.quietUntil = record.time + window;
      out.push({
        detector: 'denial-burst',
        severity: config.severity,
        action: config.action,
        userId: userId ?? null,
        deviceId: null,
        summary: `${s.ts.length} refusals in ${Math.ceil((record.time - oldest) / 1000)} s${
          userId === undefined ? ` from ${record.srcIp ?? 'an unknown address'}` : ''
        } (last: ${record.activity})`,
        data: {
          count: s.ts.length,
          windowSeconds: config.windowSeconds,
          lastActivity: record.activity,
          ...(userId === undefined ? { srcIp: record.srcIp } : {}),
        },
        seq: record.seq,
        time: record.time,
        dedupeKey: `denial-burst:${key}:${record.seq}`,
      });
    },
    snapshot: () => Object.fromEntries(keys),
    restore(state) {
      keys.clear();
      for (const [k, v] of Object.entries(state as Record<string, BurstState>)) keys.set(k, v);
    },
  };
}
