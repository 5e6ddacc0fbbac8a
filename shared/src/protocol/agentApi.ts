import { z } from 'zod';
import { postureReportSchema } from '../posture/PostureReport.js';
import {
  accessRequestViewSchema,
  createAccessRequestSchema,
  dryRunResponseSchema,
  grantViewSchema,
  requestStatusSchema,
} from './jitApi.js';

// Composite schemas are z.lazy: built on their first parse, not when this module loads, so a
// client that starts with it (the extension's in-process agent, issue 7's < 50 ms) pays only for
// the ones it uses. z.lazy(...).unwrap() gives the object schema where one is extended.

/**
 * The agent's local protocol (issue 8): what the CLI helpers, the VS Code extension and the tray
 * speak to the agent over its Unix domain socket (a named pipe on Windows). Written once here and
 * imported by both ends (CONVENTIONS.md, Boundaries).
 *
 * Framing: one JSON object per line (UTF-8, `\n`-terminated), at most `MAX_AGENT_FRAME_BYTES` per
 * frame. Every frame is versioned (`v`), every object strict: a malformed, oversized, unknown-field,
 * unknown-method or wrong-version frame is answered with an error and the connection is closed.
 *
 * Methods are data, not a switch: `agentMethods` maps each name to its params and result schemas,
 * and the agent keeps a registry of handlers by name, so a credential helper adds a method (or a
 * `credentials.get` kind) by registering it, without editing a dispatcher.
 */

export const AGENT_PROTOCOL_VERSION = 1;
/** Largest frame either side accepts (a frame is one line). Requests are small; answers carry lists. */
export const MAX_AGENT_FRAME_BYTES = 256 * 1024;

/** Method names: dotted lower-camel words (`grants.activate`). Checked before any lookup. */
export const agentMethodNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)*$/, 'a method name');

export const agentRequestIdSchema = z.lazy(() =>
  z.union([z.string().min(1).max(64), z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)]),
);
export type AgentRequestId = z.infer<typeof agentRequestIdSchema>;

/** A request frame. `params` is checked against the method's own schema after the envelope. */
export const agentRequestSchema = z.lazy(() =>
  z.strictObject({
    v: z.literal(AGENT_PROTOCOL_VERSION),
    id: agentRequestIdSchema,
    method: agentMethodNameSchema,
    params: z.unknown().optional(),
  }),
);
export type AgentRequest = z.infer<typeof agentRequestSchema>;

/**
 * Closed set of error codes on the wire. The first five are protocol errors (the connection is
 * closed after them); the rest are a method's answer (the connection stays open).
 */
export const agentErrorCodeSchema = z.enum([
  'bad_frame',
  'frame_too_large',
  'unsupported_version',
  'unknown_method',
  'peer_refused',
  'invalid_params',
  'not_signed_in',
  'session_expired',
  'locked',
  'posture_failing',
  'denied',
  'insufficient_authentication',
  'not_found',
  'not_supported',
  'broker_unreachable',
  'broker_error',
  'keychain_unavailable',
  'keychain_locked',
  'internal',
]);
export type AgentErrorCode = z.infer<typeof agentErrorCodeSchema>;

/** Codes after which the agent closes the connection (the peer is broken or not ours). */
export const AGENT_FATAL_ERROR_CODES: ReadonlySet<AgentErrorCode> = new Set<AgentErrorCode>([
  'bad_frame',
  'frame_too_large',
  'unsupported_version',
  'unknown_method',
  'peer_refused',
]);

export const agentErrorSchema = z.lazy(() =>
  z.strictObject({
    code: agentErrorCodeSchema,
    message: z.string().max(2000),
    hint: z.string().max(1000).optional(),
  }),
);
export type AgentError = z.infer<typeof agentErrorSchema>;

export const agentResponseSchema = z.lazy(() =>
  z.discriminatedUnion('ok', [
    z.strictObject({
      v: z.literal(AGENT_PROTOCOL_VERSION),
      id: agentRequestIdSchema,
      ok: z.literal(true),
      result: z.unknown(),
    }),
    z.strictObject({
      v: z.literal(AGENT_PROTOCOL_VERSION),
      /** null when the request's id could not be read (a malformed frame). */
      id: agentRequestIdSchema.nullable(),
      ok: z.literal(false),
      error: agentErrorSchema,
    }),
  ]),
);
export type AgentResponse = z.infer<typeof agentResponseSchema>;

// ---------------------------------------------------------------------------------------------
// The agent's state: what the tray draws, `strongroom status` prints and the extension shows.
// Times are epoch milliseconds.

export const agentSessionSchema = z.lazy(() =>
  z.discriminatedUnion('status', [
    z.strictObject({ status: z.literal('signedOut') }),
    z.strictObject({
      status: z.literal('signedIn'),
      profile: z.string(),
      broker: z.string(),
      user: z.strictObject({
        subject: z.string(),
        email: z.string().nullable(),
        name: z.string().nullable(),
      }),
      amr: z.array(z.string()),
      acr: z.string(),
      authTime: z.number(),
      accessTokenExpiresAt: z.number(),
      sessionEndsAt: z.number(),
      sessionEndSource: z.enum(['id_token', 'token_response', 'assumed']),
      deviceKey: z.strictObject({ thumbprint: z.string(), protection: z.string() }),
    }),
  ]),
);
export type AgentSession = z.infer<typeof agentSessionSchema>;

/** An elevated grant the agent knows of (approved and waiting for activation, or active). */
export const agentGrantSchema = z.lazy(() =>
  z.strictObject({
    id: z.string(),
    requestId: z.string(),
    target: z.strictObject({ type: z.string(), id: z.string() }),
    tier: z.string(),
    state: z.enum(['approved', 'active']),
    emergency: z.boolean(),
    durationMinutes: z.number().int(),
    /** Approved grants must be activated by then. */
    activateBy: z.number(),
    /** Active grants end then (null until activated). */
    expiresAt: z.number().nullable(),
    /**
     * The catalog assets the grant covers that clients get credentials for, as the broker computes
     * them (jitApi grantViewSchema `covers`). Absent when the broker is older and does not send it.
     */
    covers: z
      .array(z.strictObject({ type: z.string(), id: z.string() }))
      .max(100)
      .optional(),
  }),
);
export type AgentGrant = z.infer<typeof agentGrantSchema>;

export const agentPostureCheckSchema = z.lazy(() =>
  z.strictObject({
    id: z.string(),
    title: z.string(),
    status: z.enum(['pass', 'fail', 'unknown']),
    observed: z.string(),
    /** What the user does to make the check pass. */
    fix: z.string(),
  }),
);

export const agentPostureSchema = z.lazy(() =>
  z.strictObject({
    /** pass: every check passed; fail: one failed; unknown: none failed but one could not be read, or not run yet. */
    status: z.enum(['pass', 'fail', 'unknown']),
    /** The checks that did not pass (fail and unknown), with their fixes. */
    failing: z.array(agentPostureCheckSchema),
    /**
     * Every check of the last run (pass, fail and unknown), failures first, then unknown, then
     * passes, each with its fix. Added after protocol v1 shipped `failing`: optional on the wire, so
     * a client reading an older agent falls back to `failing` (clients ignore fields they do not know,
     * so an older client reading this agent is unaffected). This agent always sends it.
     */
    checks: z.array(agentPostureCheckSchema).optional(),
    checkedAt: z.number().nullable(),
    /** The broker's verdict on the last attestation (null: not attested yet, or it failed). */
    attestation: z.strictObject({ compliant: z.boolean(), attestedAt: z.number() }).nullable(),
    /** Why the last attestation did not happen or was refused (null when it went through). */
    attestationError: z.string().nullable(),
  }),
);
export type AgentPosture = z.infer<typeof agentPostureSchema>;

export const agentLockSchema = z.lazy(() =>
  z.strictObject({
    reason: z.string(),
    /** The event type or local cause (`session.revoked`, `principal.locked`, `refresh_refused`). */
    source: z.string(),
    at: z.number(),
  }),
);
export type AgentLock = z.infer<typeof agentLockSchema>;

export const agentStateSchema = z.lazy(() =>
  z.strictObject({
    session: agentSessionSchema,
    grants: z.array(agentGrantSchema),
    /** Pending requests of others the user may approve now (approvers only; empty otherwise). */
    toApprove: z.array(accessRequestViewSchema),
    posture: agentPostureSchema,
    /** Set when the broker revoked the session or locked the user/device; cleared by signing in again. */
    locked: agentLockSchema.nullable(),
    /** Whether the event stream to the broker is open right now. */
    connected: z.boolean(),
  }),
);
export type AgentStateSnapshot = z.infer<typeof agentStateSchema>;

/**
 * A frame the agent pushes without a request, after `state.subscribe` on that connection. It has
 * no `id` (so a client tells it from answers) and carries the whole state: a late subscriber
 * never has to replay a diff.
 */
export const agentEventFrameSchema = z.lazy(() =>
  z.strictObject({
    v: z.literal(AGENT_PROTOCOL_VERSION),
    event: z.literal('state'),
    state: agentStateSchema,
  }),
);
export type AgentEventFrame = z.infer<typeof agentEventFrameSchema>;

// ---------------------------------------------------------------------------------------------
// Methods.

const noParams = z.lazy(() => z.strictObject({}).optional());
/**
 * `profile`: the profile the caller means (`--profile`, `STRONGROOM_PROFILE`, the config's current
 * one). An agent serving another profile answers `not_found`, and the CLI then works alone.
 */
const profileParams = z.lazy(() =>
  z.strictObject({ profile: z.string().min(1).max(32).optional() }).optional(),
);
const grantIdParams = z.lazy(() => z.strictObject({ grantId: z.string().min(1).max(200) }));
const terminalId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'a terminal id');

/** `status`: the state plus the agent's clock, and each grant's time left in seconds. */
export const agentStatusResultSchema = z.lazy(() =>
  agentStateSchema.unwrap().extend({
    now: z.number(),
    grants: z.array(agentGrantSchema.unwrap().extend({ secondsLeft: z.number().int().nullable() })),
    agent: z.strictObject({
      version: z.string(),
      pid: z.number().int(),
      startedAt: z.number(),
      /** The profile (broker) this agent serves: one agent per user, for one profile. */
      profile: z.string(),
      broker: z.string(),
    }),
  }),
);
export type AgentStatusResult = z.infer<typeof agentStatusResultSchema>;

export const agentTokenResultSchema = z.lazy(() =>
  z.strictObject({
    accessToken: z.string(),
    tokenType: z.literal('DPoP'),
    expiresAt: z.number(),
  }),
);

export const agentPostureResultSchema = z.lazy(() =>
  z.strictObject({
    posture: agentPostureSchema,
    report: postureReportSchema.nullable(),
  }),
);

/** `requests.create` / `requests.dryRun` take the broker's request body without `dryRun`. */
export const agentAccessRequestParamsSchema = z.lazy(() =>
  createAccessRequestSchema.unwrap().omit({ dryRun: true }),
);

/**
 * `credentials.get`: a generic lookup that credential helpers fill with handlers per `kind`
 * (`aws`, `git`, `ssh`, `kubernetes`, …). `target` names what the credential is for (a role ARN,
 * a git host, a cluster); `grantId` pins it to one grant when the user holds several.
 */
export const agentCredentialKindSchema = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a credential kind');
export const agentCredentialsGetParamsSchema = z.lazy(() =>
  z.strictObject({
    kind: agentCredentialKindSchema,
    target: z.string().min(1).max(500),
    grantId: z.string().min(1).max(200).optional(),
    /** A per-terminal token when the caller is a terminal's helper (see `terminal.create`). */
    terminalToken: z.string().min(1).max(200).optional(),
  }),
);
export type AgentCredentialsGetParams = z.infer<typeof agentCredentialsGetParamsSchema>;
export const agentCredentialsGetResultSchema = z.lazy(() =>
  z.strictObject({
    kind: agentCredentialKindSchema,
    /** The grant the credential was issued under (wiped when that grant ends). */
    grantId: z.string().nullable(),
    expiresAt: z.number(),
    /** The kind's own shape (e.g. AWS: AccessKeyId, SecretAccessKey, SessionToken, Expiration). */
    credential: z.record(z.string(), z.unknown()),
  }),
);
export type AgentCredentialsGetResult = z.infer<typeof agentCredentialsGetResultSchema>;

/**
 * `terminal.create`: a per-terminal token for an elevated terminal (VS Code, tray). Terminals get
 * pointers, never credentials (ARCHITECTURE.md, "VS Code"): the token lets that terminal's tools ask
 * the agent (or its loopback container-credentials endpoint) for credentials, only while it lives.
 */
/** A terminal token's lifetime in seconds, whichever method makes it: a minute to 12 hours. */
export const terminalTtlSecondsSchema = z
  .number()
  .int()
  .min(60)
  .max(12 * 3600);
export const agentTerminalCreateParamsSchema = z.lazy(() =>
  z.strictObject({
    /** Shown in the tray and audit-friendly logs ("VS Code: train-job"). */
    label: z.string().min(1).max(100),
    /** Limit the terminal to one grant's credentials; omitted: whatever the user holds. */
    grantId: z.string().min(1).max(200).optional(),
    /** Lifetime; capped by the session's end (and the grant's, when given). Default 1 hour. */
    ttlSeconds: terminalTtlSecondsSchema.optional(),
  }),
);
export const agentTerminalCreateResultSchema = z.lazy(() =>
  z.strictObject({
    terminalId: terminalId,
    /** 256 bits, base64url. A bearer secret for this terminal only; never logged. */
    token: z.string(),
    expiresAt: z.number(),
    /**
     * Environment for the terminal: pointers only (the socket path, and the container-credentials
     * URL once the AWS helper serves it), plus the token in the one variable its consumer reads.
     */
    env: z.record(z.string(), z.string()),
  }),
);
export const agentTerminalRevokeParamsSchema = z.lazy(() => z.strictObject({ terminalId }));

/**
 * One method's contract. `params` must accept `undefined` where a method takes no parameters.
 * Exported so helpers can describe methods they add at run time in the same way.
 */
export interface AgentMethodSpec<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  readonly params: P;
  readonly result: R;
  /** Why and what it does; the CLI's `agent methods` and the docs read this. */
  readonly summary: string;
}

/** A method's contract with its schema types inferred; helpers describe their methods with it too. */
export function agentMethod<P extends z.ZodType, R extends z.ZodType>(
  params: P,
  result: R,
  summary: string,
): AgentMethodSpec<P, R> {
  return { params, result, summary };
}

/** The methods every agent serves. Helpers register more through the agent's handler registry. */
export const agentMethods = {
  status: agentMethod(
    profileParams,
    agentStatusResultSchema,
    'Signed-in summary, grants with time left, posture, lock.',
  ),
  token: agentMethod(
    profileParams,
    agentTokenResultSchema,
    'A DPoP-bound access token for this device (refreshed when due).',
  ),
  posture: agentMethod(
    z.lazy(() => z.strictObject({ refresh: z.boolean().optional() }).optional()),
    agentPostureResultSchema,
    'The last posture result with fixes; `refresh` runs the checks and attests first.',
  ),
  'requests.list': agentMethod(
    z.lazy(() =>
      z.strictObject({ toReview: z.boolean().optional(), status: requestStatusSchema.optional() }).optional(),
    ),
    z.lazy(() => z.strictObject({ requests: z.array(accessRequestViewSchema) })),
    "The user's requests, or with `toReview` the ones they may approve now.",
  ),
  'requests.create': agentMethod(
    agentAccessRequestParamsSchema,
    z.lazy(() => z.strictObject({ request: accessRequestViewSchema, grant: grantViewSchema.nullable() })),
    'Ask for elevated access (target, duration, reason, ticket).',
  ),
  'requests.dryRun': agentMethod(
    agentAccessRequestParamsSchema,
    dryRunResponseSchema,
    'Would this request be allowed, and who must approve it? Creates nothing.',
  ),
  'grants.list': agentMethod(
    noParams,
    z.lazy(() => z.strictObject({ grants: z.array(grantViewSchema) })),
    "The user's grants as the broker sees them now.",
  ),
  'grants.activate': agentMethod(
    grantIdParams,
    z.lazy(() => z.strictObject({ grant: grantViewSchema })),
    'Start an approved grant (its clock starts now).',
  ),
  'grants.drop': agentMethod(
    grantIdParams,
    z.lazy(() => z.strictObject({ grant: grantViewSchema })),
    'End a grant early; credentials issued under it are wiped.',
  ),
  'terminal.create': agentMethod(
    agentTerminalCreateParamsSchema,
    agentTerminalCreateResultSchema,
    'A per-terminal token for an elevated terminal.',
  ),
  'terminal.revoke': agentMethod(
    agentTerminalRevokeParamsSchema,
    z.lazy(() => z.strictObject({ revoked: z.boolean() })),
    'Invalidate a terminal token at once (the terminal closed).',
  ),
  'credentials.get': agentMethod(
    agentCredentialsGetParamsSchema,
    agentCredentialsGetResultSchema,
    'A short-lived credential of a registered kind for a target.',
  ),
  'state.subscribe': agentMethod(
    noParams,
    z.lazy(() => z.strictObject({ subscribed: z.literal(true) })),
    'Keep this connection open and receive a `state` event frame on every change (the first at once).',
  ),
  trigger: agentMethod(
    z.lazy(() => z.strictObject({ reason: z.enum(['resume', 'unlock', 'network', 'manual']) })),
    z.lazy(() => z.strictObject({ accepted: z.literal(true) })),
    'Tell the agent something happened (resume, unlock, network change): it re-checks posture.',
  ),
} as const satisfies Record<string, AgentMethodSpec>;

export type AgentMethodName = keyof typeof agentMethods;
export type AgentParams<M extends AgentMethodName> = z.input<(typeof agentMethods)[M]['params']>;
export type AgentResult<M extends AgentMethodName> = z.output<(typeof agentMethods)[M]['result']>;
export type AgentTriggerReason = z.infer<(typeof agentMethods)['trigger']['params']>['reason'];
