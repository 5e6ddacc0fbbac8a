import { z } from 'zod';
import { approveRequestSchema } from './jitApi.js';

// Composite schemas are z.lazy: built on their first parse, not when this module loads, so a
// client that starts with it (the extension's in-process agent, issue 7's < 50 ms) pays only for
// the ones it uses. z.lazy(...).unwrap() gives the object schema where one is extended.

/** Admin API under `/api/v1/admin` (issue 9): alerts, locks, webhook dead letters. */

export const alertSeveritySchema = z.enum(['low', 'medium', 'high', 'critical']);
export const detectorActionSchema = z.enum(['alert', 'lock-principal', 'lock-device']);

export const alertViewSchema = z.object({
  id: z.string(),
  detector: z.string(),
  severity: alertSeveritySchema,
  action: detectorActionSchema,
  userId: z.string().nullable(),
  userEmail: z.string().nullable(),
  deviceId: z.string().nullable(),
  summary: z.string(),
  data: z.record(z.string(), z.unknown()),
  auditSeq: z.number().int(),
  createdAt: z.number(),
  status: z.enum(['open', 'acknowledged']),
  ackedBy: z.string().nullable(),
  ackedAt: z.number().nullable(),
  ackNote: z.string().nullable(),
  lockId: z.string().nullable(),
});
export type AlertView = z.infer<typeof alertViewSchema>;
export const alertsResponseSchema = z.object({ alerts: z.array(alertViewSchema) });

export const lockViewSchema = z.object({
  id: z.string(),
  kind: z.enum(['user', 'device']),
  userId: z.string(),
  userEmail: z.string().nullable(),
  deviceId: z.string().nullable(),
  reason: z.string(),
  alertId: z.string().nullable(),
  /** Null for an automatic lock (a detector). */
  lockedBy: z.string().nullable(),
  lockedAt: z.number(),
  automatic: z.boolean(),
  active: z.boolean(),
  unlockedBy: z.string().nullable(),
  unlockedAt: z.number().nullable(),
  unlockReason: z.string().nullable(),
});
export type LockView = z.infer<typeof lockViewSchema>;
export const locksResponseSchema = z.object({ locks: z.array(lockViewSchema) });

/** A reason people can read later: trimmed, at least 8 characters, not only punctuation. */
export const adminReasonSchema = z
  .string()
  .trim()
  .min(8, 'give a reason of at least 8 characters')
  .max(2000)
  .refine((s) => /[\p{L}\p{N}]{3}/u.test(s), 'give a reason in words');

/** `POST /api/v1/admin/locks`: lock a person (every device) or one of their devices. */
export const createLockSchema = z.strictObject({
  kind: z.enum(['user', 'device']),
  /** The person's id or e-mail address. */
  user: z.string().min(1).max(320),
  deviceId: z.string().min(1).max(200).optional(),
  reason: adminReasonSchema,
});
export type CreateLock = z.infer<typeof createLockSchema>;

/** `POST /api/v1/admin/locks/{id}/unlock`: a key touch over the unlock challenge, and a reason. */
export const unlockSchema = z.lazy(() => approveRequestSchema.unwrap().extend({ reason: adminReasonSchema }));
export type Unlock = z.infer<typeof unlockSchema>;

/** `POST /api/v1/admin/alerts/{id}/ack`. */
export const ackAlertSchema = z.strictObject({ note: z.string().trim().max(2000).optional() });

export const deadLetterViewSchema = z.object({
  id: z.string(),
  /** Only the origin: a Slack-style URL carries its secret in the path. */
  destination: z.string(),
  event: z.string(),
  alertId: z.string().nullable(),
  status: z.enum(['pending', 'delivered', 'dead']),
  attempts: z.number().int(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
  nextAttemptAt: z.number(),
});
export type DeadLetterView = z.infer<typeof deadLetterViewSchema>;
export const deadLettersResponseSchema = z.object({ deliveries: z.array(deadLetterViewSchema) });

/** `PUT /api/v1/admin/users/{id}/working-hours` (null clears: the bundle's default applies). */
export const workingHoursBodySchema = z.strictObject({
  workingHours: z
    .strictObject({
      zone: z.string().min(1).max(100),
      start: z.number().int().min(0).max(24),
      end: z.number().int().min(0).max(24),
      days: z.array(z.number().int().min(1).max(7)).min(1).max(7),
    })
    .nullable(),
});
