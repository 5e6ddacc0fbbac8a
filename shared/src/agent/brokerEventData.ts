import { z } from 'zod';

/**
 * What the agent reads from each broker event's `data` (broker/src/jit/*: appendUserEvent). Not
 * strict: the broker may add fields; the agent reads only these, and ignores an event whose fields
 * it needs are missing.
 */
const target = z.object({ type: z.string(), id: z.string() });

export const eventData = {
  'request.approved': z.object({
    requestId: z.string(),
    target,
    grantId: z.string(),
    activateBy: z.number().optional(),
    approver: z.string().optional(),
  }),
  'approval.recorded': z.object({
    requestId: z.string(),
    target,
    approvals: z.number(),
    approvalsRequired: z.number(),
  }),
  'request.pending': z.object({ requestId: z.string(), target, requester: z.string().optional() }),
  'request.denied': z.object({ requestId: z.string(), target, reason: z.string().optional() }),
  'grant.expiring': z.object({
    grantId: z.string(),
    target,
    expiresAt: z.number().nullable().optional(),
    minutesLeft: z.number(),
  }),
  'grant.ended': z.object({ grantId: z.string(), target: target.optional(), reason: z.string().optional() }),
  'grant.activated': z.object({ grantId: z.string() }),
  'device.compliance': z.object({
    deviceId: z.string(),
    compliant: z.boolean(),
    failedChecks: z.array(z.string()).optional(),
    grantsEnded: z.array(z.string()).optional(),
  }),
  /** Session revoked or principal/device locked: the reason the user is told. */
  lock: z.object({ reason: z.string().optional(), deviceId: z.string().optional() }),
} as const;

/**
 * Event types that end everything on this device: the broker revoked the session, or locked the
 * user or the device (alerts, admins). Named here once; the agent wipes and tells the user why.
 */
export const LOCK_EVENT_TYPES: ReadonlySet<string> = new Set([
  'session.revoked',
  'user.locked',
  'principal.locked',
  'device.locked',
]);

export function targetName(t: { type: string; id: string } | undefined): string {
  return t === undefined ? 'a grant' : t.id;
}
