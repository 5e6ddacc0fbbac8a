import { z } from 'zod';

// Composite schemas are z.lazy: built on their first parse, not when this module loads, so a
// client that starts with it (the extension's in-process agent, issue 7's < 50 ms) pays only for
// the ones it uses. z.lazy(...).unwrap() gives the object schema where one is extended.

/**
 * Wire contracts of policy decisions and just-in-time elevation under `/api/v1` (issue 5): written
 * once, imported by the broker and the clients (CONVENTIONS.md, Boundaries). Request bodies are
 * strict: an unknown field is refused (ARCHITECTURE.md, "Security rules").
 */

const id = z.string().min(1).max(200);

/** A JIT target: a Role or an asset of the policy bundle's catalog (`Dataset`, `HostGroup`, …). */
export const jitTargetSchema = z.lazy(() =>
  z.strictObject({
    type: z.string().regex(/^[A-Z][A-Za-z0-9]{0,63}$/, 'a Cedar entity type'),
    id,
  }),
);
export type JitTargetRef = z.infer<typeof jitTargetSchema>;

/** `POST /api/v1/authorize`: who wants to do what to which resource, and in which context. */
export const authorizeRequestSchema = z.lazy(() =>
  z.strictObject({
    /** Omitted: the caller. Another principal: only for admins (resource services, dry runs). */
    principal: z.strictObject({ id }).optional(),
    action: z.string().min(1).max(100),
    resource: z.strictObject({
      type: z.string().min(1).max(64),
      id,
      attrs: z.record(z.string(), z.unknown()).optional(),
    }),
    /** Merged over the context the broker knows (device posture, MFA, network, time, grants). */
    context: z.record(z.string(), z.unknown()).optional(),
  }),
);
export type AuthorizeRequest = z.infer<typeof authorizeRequestSchema>;

export const authorizeResponseSchema = z.lazy(() =>
  z.object({
    decision: z.enum(['allow', 'deny']),
    determiningPolicies: z.array(z.string()),
    /** For a denial, what to fix in words ("device posture: disk encryption failed"). */
    reasons: z.array(z.string()),
    bundleHash: z.string(),
  }),
);
export type AuthorizeResponse = z.infer<typeof authorizeResponseSchema>;

/** One entry of `GET /api/v1/targets`: what the caller may request, for how long, approved by how many. */
export const targetViewSchema = z.lazy(() =>
  z.object({
    type: z.string(),
    id: z.string(),
    tier: z.string(),
    description: z.string().optional(),
    maxDurationMinutes: z.number().int(),
    approvalsRequired: z.number().int(),
    emergency: z.boolean(),
  }),
);
export type TargetView = z.infer<typeof targetViewSchema>;
export const targetsResponseSchema = z.lazy(() =>
  z.object({
    targets: z.array(targetViewSchema),
    requestRules: z.object({ minReasonLength: z.number().int(), ticketPattern: z.string().optional() }),
    bundleHash: z.string(),
  }),
);
export type TargetsResponse = z.infer<typeof targetsResponseSchema>;

/** `POST /api/v1/requests`. Reason length and ticket pattern are the bundle's (`bundle.json`). */
export const createAccessRequestSchema = z.lazy(() =>
  z.strictObject({
    target: jitTargetSchema,
    durationMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60),
    reason: z.string().max(2000),
    ticket: z.string().min(1).max(100).optional(),
    /** Answer "would this be allowed, and who must approve?" without creating anything. */
    dryRun: z.boolean().optional(),
  }),
);
export type CreateAccessRequest = z.infer<typeof createAccessRequestSchema>;

export const requestStatusSchema = z.enum(['pending', 'approved', 'denied', 'cancelled', 'expired']);

export const accessRequestViewSchema = z.lazy(() =>
  z.object({
    id: z.string(),
    requesterId: z.string(),
    requesterEmail: z.string().optional(),
    target: z.object({ type: z.string(), id: z.string() }),
    tier: z.string(),
    durationMinutes: z.number().int(),
    reason: z.string(),
    ticket: z.string().nullable(),
    status: requestStatusSchema,
    approvalsRequired: z.number().int(),
    approvals: z.array(z.object({ approverId: z.string(), approvedAt: z.number() })),
    emergency: z.boolean(),
    contentHash: z.string(),
    createdAt: z.number(),
    expiresAt: z.number(),
    denyReason: z.string().nullable(),
    grantId: z.string().nullable(),
  }),
);
export type AccessRequestView = z.infer<typeof accessRequestViewSchema>;

export const dryRunResponseSchema = z.lazy(() =>
  z.object({
    dryRun: z.literal(true),
    allowed: z.boolean(),
    reasons: z.array(z.string()),
    approvalsRequired: z.number().int(),
    maxDurationMinutes: z.number().int(),
    emergency: z.boolean(),
    bundleHash: z.string(),
  }),
);
export type DryRunResponse = z.infer<typeof dryRunResponseSchema>;

export const createAccessRequestResponseSchema = z.lazy(() =>
  z.union([
    dryRunResponseSchema,
    z.object({ request: accessRequestViewSchema, grant: z.lazy(() => grantViewSchema).nullable() }),
  ]),
);
export type CreateAccessRequestResponse = z.infer<typeof createAccessRequestResponseSchema>;

export const requestsResponseSchema = z.lazy(() => z.object({ requests: z.array(accessRequestViewSchema) }));

/**
 * `POST /api/v1/requests/{id}/approve`: a WebAuthn assertion (WebAuthn L3 §5.2.2, JSON form as
 * @simplewebauthn/browser produces it) over the challenge from `approval-challenge`.
 */
/** A WebAuthn assertion as the browser's `navigator.credentials.get()` returns it, base64url. */
export const webauthnAssertionSchema = z.lazy(() =>
  z.strictObject({
    id: z.string().min(1).max(1024),
    rawId: z.string().min(1).max(1024),
    type: z.literal('public-key'),
    response: z.looseObject({
      clientDataJSON: z.string().min(1).max(8192),
      authenticatorData: z.string().min(1).max(8192),
      signature: z.string().min(1).max(1024),
      userHandle: z.string().max(1024).optional(),
    }),
    clientExtensionResults: z.record(z.string(), z.unknown()),
    authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  }),
);

export const approveRequestSchema = z.lazy(() => z.strictObject({ assertion: webauthnAssertionSchema }));
export type ApproveRequest = z.infer<typeof approveRequestSchema>;

/** A denial's reason (the approver page's form uses the same limits). */
export const denyReasonSchema = z.string().min(1).max(2000);
export const denyRequestSchema = z.lazy(() => z.strictObject({ reason: denyReasonSchema }));

export const grantStateSchema = z.enum(['approved', 'active', 'ended']);
export const grantViewSchema = z.lazy(() =>
  z.object({
    id: z.string(),
    requestId: z.string(),
    userId: z.string(),
    target: z.object({ type: z.string(), id: z.string() }),
    tier: z.string(),
    durationMinutes: z.number().int(),
    /** Computed from stored times at the moment of the answer (never from a timer). */
    state: grantStateSchema,
    emergency: z.boolean(),
    activateBy: z.number(),
    activatedAt: z.number().nullable(),
    expiresAt: z.number().nullable(),
    endedAt: z.number().nullable(),
    endReason: z.string().nullable(),
    /**
     * The catalog assets this grant covers that clients get credentials for (SSH host groups, assets
     * mapped to an AWS role, token-exchange services), by the broker's own issuance rule: the grant
     * names the asset, or names a Role the asset lists in its catalog `roles`. Sorted, at most 100.
     * Absent from older brokers and on ended grants.
     */
    covers: z
      .array(z.object({ type: z.string(), id: z.string() }))
      .max(100)
      .optional(),
  }),
);
export type GrantView = z.infer<typeof grantViewSchema>;
export const grantsResponseSchema = z.lazy(() => z.object({ grants: z.array(grantViewSchema) }));

export const revokeGrantSchema = z.lazy(() =>
  z.strictObject({ reason: z.string().min(1).max(2000) }).optional(),
);

/** Server-Sent Events of `GET /api/v1/events`; the SSE `id` is the event's store id. */
export const userEventTypeSchema = z.enum([
  'request.pending',
  'request.approved',
  'request.denied',
  'request.cancelled',
  'request.expired',
  'approval.recorded',
  'grant.activated',
  'grant.expiring',
  'grant.ended',
  'session.revoked',
  'device.compliance',
  // Admins only (issue 9): a detector raised an alert; a person or device was locked or unlocked.
  'alert.raised',
  'principal.locked',
  'principal.unlocked',
]);
export const userEventSchema = z.lazy(() =>
  z.object({
    id: z.number().int(),
    type: z.string(),
    time: z.number(),
    data: z.record(z.string(), z.unknown()),
  }),
);
export type UserEvent = z.infer<typeof userEventSchema>;
