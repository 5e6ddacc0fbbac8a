import { z } from 'zod';
import { BrokerError } from '../errors/BrokerError.js';

/**
 * Settings of the device and posture API (`/api/v1`). The schema is the type, the defaults and the
 * docs (CONVENTIONS.md, Config); parsed once by `parseApiOptions` and frozen.
 */
export const apiOptionsSchema = z.strictObject({
  /**
   * Re-enrollment after a key loss (a new device key for a hostname the user already has a device
   * for) is normal and audited; the old device is marked `replaced` at once. When this is true the
   * new device starts `pending` instead of `active`: it is not compliant and cannot attest until an
   * admin approves it (`approveDevice`). Default false: a lost key should not lock a developer out.
   */
  requireAdminApprovalForReenrollment: z.boolean().default(false),
  /** How far a DPoP proof's `iat` may be from the broker's clock (RFC 9449 §11.1). */
  dpopIatWindowSeconds: z.number().int().min(5).max(300).default(60),
  /** A posture nonce is single use and lives this long. */
  postureNonceTtlSeconds: z.number().int().min(10).max(900).default(120),
  /** A posture report's `iat` may be at most this far from the broker's clock. */
  postureReportMaxSkewSeconds: z.number().int().min(10).max(900).default(300),
  /** Posture older than this no longer makes a device compliant for policy (`context.device`). */
  postureMaxAgeSeconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 24 * 3600)
    .default(3600),
});

export type ApiOptionsInput = z.input<typeof apiOptionsSchema>;
export type ApiOptions = Readonly<z.output<typeof apiOptionsSchema>>;

export function parseApiOptions(input: ApiOptionsInput | undefined = {}): ApiOptions {
  const parsed = apiOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`);
    throw new BrokerError('invalid_config', `invalid API options: ${problems.join('; ')}`, { expose: true });
  }
  return Object.freeze(parsed.data);
}
