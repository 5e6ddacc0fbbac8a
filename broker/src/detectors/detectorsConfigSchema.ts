import { z } from 'zod';

const severity = z.enum(['low', 'medium', 'high', 'critical']);
const action = z.enum(['alert', 'lock-principal', 'lock-device']);

/** What every detector has: whether it runs, how bad a finding is, and what the broker does. */
const common = { enabled: z.boolean().default(true), severity, action };

const hour = z.number().int().min(0).max(24);

/**
 * A person's working hours: `start` ≤ local hour < `end` on `days` (ISO weekdays, 1 = Monday), in
 * the IANA zone `zone`. `start` > `end` spans midnight (22 → 6).
 */
export const workingHoursSchema = z.strictObject({
  zone: z.string().refine(isTimeZone, 'an IANA time zone such as Europe/Berlin or UTC'),
  start: hour,
  end: hour,
  days: z.array(z.number().int().min(1).max(7)).min(1).max(7),
});
export type WorkingHours = z.infer<typeof workingHoursSchema>;

const tierCaps = z.record(z.string().min(1), z.number().int().min(1));

/**
 * `detectors.json` of a policy bundle (optional; these defaults apply without it). The schema is
 * the type, the defaults and the docs. Each detector reads the audit stream (AuditRecord) only.
 */
export const detectorsConfigSchema = z.strictObject({
  /** Working hours of people who have none of their own (user attribute `workingHours`). */
  workingHours: workingHoursSchema.default({ zone: 'UTC', start: 7, end: 20, days: [1, 2, 3, 4, 5] }),
  /**
   * Findings on records older than this when first seen (a catch-up after downtime, a replay at
   * start) update the detectors' state but raise nothing: no alert or lock for stale history.
   */
  maxActAgeSeconds: z.number().int().min(1).default(900),
  detectors: z
    .strictObject({
      /**
       * Credential issuance and grant use per principal far above that principal's own baseline:
       * counts per `windowSeconds` bucket, an exponentially weighted mean of past buckets
       * (`halfLifeWindows`), fires when a bucket passes max(`minEvents`, `factor` × mean) or when
       * one tier's count passes its absolute cap (`caps`).
       */
      'issuance-volume': z
        .strictObject({
          ...common,
          activities: z.array(z.string().min(1)).min(1).default(['credential.issue', 'authorize']),
          windowSeconds: z.number().int().min(10).max(86_400).default(300),
          halfLifeWindows: z.number().min(1).max(10_000).default(24),
          initialBaseline: z.number().min(0).default(2),
          factor: z.number().min(1).default(10),
          minEvents: z.number().int().min(1).default(40),
          caps: tierCaps.default({ restricted: 25, internal: 200, public: 1000 }),
        })
        .prefault({ severity: 'critical', action: 'lock-principal' }),
      /** `threshold` refusals (status failure) for one principal or source address within `windowSeconds`. */
      'denial-burst': z
        .strictObject({
          ...common,
          windowSeconds: z.number().int().min(1).max(86_400).default(60),
          threshold: z.number().int().min(2).max(100_000).default(15),
        })
        .prefault({ severity: 'high', action: 'alert' }),
      /** Restricted access (request, activation, decision, issuance) outside the person's working hours. */
      'off-hours-restricted': z.strictObject({ ...common }).prefault({ severity: 'medium', action: 'alert' }),
      /** Restricted access within `withinMinutes` of enrolling a device (a new, unknown machine). */
      'new-device-restricted': z
        .strictObject({ ...common, withinMinutes: z.number().int().min(1).max(10_080).default(15) })
        .prefault({ severity: 'high', action: 'alert' }),
      /** A restricted grant ended by a failing posture report (the device regressed while elevated). */
      'posture-regression-elevated': z
        .strictObject({ ...common })
        .prefault({ severity: 'high', action: 'alert' }),
      /** Every break-glass self-activation. */
      'break-glass': z.strictObject({ ...common }).prefault({ severity: 'high', action: 'alert' }),
      /** A rotated-out refresh token or a used code presented again (RFC 9700 §4.14.2: stolen). */
      'refresh-token-reuse': z
        .strictObject({ ...common })
        .prefault({ severity: 'critical', action: 'lock-principal' }),
    })
    // prefault: {} is parsed, so every detector gets its own defaults.
    .prefault({}),
});

export type DetectorsConfig = z.output<typeof detectorsConfigSchema>;
export type DetectorId = keyof DetectorsConfig['detectors'];

/** The configuration in force without a `detectors.json`. */
export function defaultDetectorsConfig(): DetectorsConfig {
  return detectorsConfigSchema.parse({});
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
