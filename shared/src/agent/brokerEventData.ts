import { z } from 'zod';

// Composite schemas are z.lazy: built on their first parse, not when this module loads, so a
// client that starts with it (the extension's in-process agent, issue 7's < 50 ms) pays only for
// the ones it uses. z.lazy(...).unwrap() gives the object schema where one is extended.

/**
 * What the agent reads from each broker event's `data` (broker/src/jit/*: appendUserEvent). Not
 * strict: the broker may add fields; the agent reads only these, and ignores an event whose fields
 * it needs are missing.
 */
const target = z.object({ type: z.string(), id: z.string() });

export const eventData = {
  'request.approved': z.lazy(() =>
    z.object({
      requestId: z.string(),
      target,
      grantId: z.string(),
      activateBy: z.number().optional(),
      approver: z.string().optional(),
    }),
  ),
  'approval.recorded': z.lazy(() =>
    z.object({
      requestId: z.string(),
      target,
      approvals: z.number(),
      approvalsRequired: z.number(),
    }),
  ),
  'request.pending': z.lazy(() =>
    z.object({ requestId: z.string(), target, requester: z.string().optional() }),
  ),
  'request.denied': z.lazy(() => z.object({ requestId: z.string(), target, reason: z.string().optional() })),
  'grant.expiring': z.lazy(() =>
    z.object({
      grantId: z.string(),
      target,
      expiresAt: z.number().nullable().optional(),
      minutesLeft: z.number(),
    }),
  ),
  'grant.ended': z.lazy(() =>
    z.object({ grantId: z.string(), target: target.optional(), reason: z.string().optional() }),
  ),
  'grant.activated': z.lazy(() => z.object({ grantId: z.string() })),
  'device.compliance': z.lazy(() =>
    z.object({
      deviceId: z.string(),
      compliant: z.boolean(),
      failedChecks: z.array(z.string()).optional(),
      grantsEnded: z.array(z.string()).optional(),
    }),
  ),
  /**
   * `session.revoked` (broker/src/locks/lockPrincipal.ts): the person or one device was locked.
   * For a device lock, `thumbprint` names the locked device's key: another device's lock does not
   * wipe this one (its session stays valid; the grants it ended arrive as grant.ended).
   */
  'session.revoked': z.lazy(() =>
    z.object({
      reason: z.string().optional(),
      scope: z.enum(['user', 'device']).optional(),
      thumbprint: z.string().nullable().optional(),
    }),
  ),
  /** To admins: someone was locked. */
  'principal.locked': z.lazy(() => z.object({ reason: z.string().optional(), email: z.string().optional() })),
} as const;

export function targetName(t: { type: string; id: string } | undefined): string {
  return t === undefined ? 'a grant' : t.id;
}
