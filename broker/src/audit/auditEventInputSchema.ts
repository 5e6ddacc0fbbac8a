import { z } from 'zod';

/**
 * The runtime check of `AuditEventInput` (AuditEvent.ts). Strict: an unknown member is refused, so
 * nothing lands in the chain that a reader of the type would not expect.
 */
export const auditActorSchema = z.strictObject({
  userId: z.string().min(1).max(200).optional(),
  email: z.string().min(1).max(320).optional(),
  deviceId: z.string().min(1).max(200).optional(),
  kind: z.enum(['user', 'admin', 'broker', 'anonymous']),
});

export const auditEventInputSchema = z.strictObject({
  classUid: z.literal([3001, 3002, 3003, 5001, 5003, 6003]),
  activityId: z.number().int().min(0).max(255),
  activity: z.string().min(1).max(200),
  statusId: z.literal([1, 2]),
  actor: auditActorSchema,
  time: z.number().int().nonnegative(),
  severityId: z.number().int().min(0).max(99).optional(),
  srcIp: z.string().min(1).max(100).optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
