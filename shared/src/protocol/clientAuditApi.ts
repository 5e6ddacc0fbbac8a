import { z } from 'zod';

// Composite schemas are z.lazy: built on their first parse, not when this module loads, so a
// client that starts with it (the extension's in-process agent, issue 7's < 50 ms) pays only for
// the ones it uses. z.lazy(...).unwrap() gives the object schema where one is extended.

/**
 * `POST /api/v1/audit/client-events` (issue 6, "Bad input": a wrong per-terminal token is refused
 * with a clear reason and audited): what the agent saw on its own loopback endpoints, reported to the
 * broker's tamper-evident audit log. The broker records each event with the user and device of the
 * DPoP-bound session and marks it client-reported: these are a device's claims, not broker facts.
 * A closed list of kinds, every field bounded; never a token (not even a hash of one), never a key.
 * Written once here, imported by the broker and the agent.
 */

/** A terminal id as the agent's TerminalTokens makes it (128 random bits, base64url). */
const terminalId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
/** Epoch milliseconds on the client's clock (the broker records its own time beside it). */
const clientTime = z.number().int().min(0).max(8_640_000_000_000_000);

/** Why the container-credentials endpoint refused a request (containerCredentialsServer.ts). */
export const TERMINAL_REFUSAL_REASONS = [
  /** No Authorization header. */
  'no-token',
  /** A token that is not live: never issued, revoked, expired. */
  'unknown-token',
  /** A live token asking for a role its terminal was not made for. */
  'role-not-allowed',
  /** A Host header that does not name the loopback endpoint (DNS rebinding). */
  'foreign-host',
] as const;
export type TerminalRefusalReason = (typeof TERMINAL_REFUSAL_REASONS)[number];

/** Why a terminal token stopped working (agent/TerminalTokens.ts). */
export const TERMINAL_REVOCATION_REASONS = [
  /** The shell or job holding it exited (`strongroom env aws`). */
  'holder-exited',
  /** Its grant ended, or the broker refused the grant. */
  'grant-ended',
  /** Revoked by name (a VS Code terminal closed, `terminal.revoke`). */
  'revoked',
  /** Lock, sign-out or the session's end. */
  'session-ended',
] as const;
export type TerminalRevocationReason = (typeof TERMINAL_REVOCATION_REASONS)[number];

export const terminalTokenRefusedSchema = z.lazy(() =>
  z.strictObject({
    kind: z.literal('terminal-token.refused'),
    /** Set when a live token was refused (a role it may not fetch). */
    terminalId: terminalId.optional(),
    reason: z.enum(TERMINAL_REFUSAL_REASONS),
    /** Refusals are coalesced: how many with this reason (and terminal) between first and last. */
    count: z.number().int().min(1).max(1_000_000_000),
    firstAt: clientTime,
    lastAt: clientTime,
  }),
);

export const terminalTokenIssuedSchema = z.lazy(() =>
  z.strictObject({
    kind: z.literal('terminal-token.issued'),
    terminalId,
    grantId: z.string().min(1).max(200),
    role: z.string().min(1).max(200),
    expiresAt: clientTime,
    /** What ends it besides expiry and the grant: a watched process (shell, job runner) or nothing. */
    holder: z.enum(['process', 'none']),
    at: clientTime,
  }),
);

export const terminalTokenRevokedSchema = z.lazy(() =>
  z.strictObject({
    kind: z.literal('terminal-token.revoked'),
    terminalId,
    reason: z.enum(TERMINAL_REVOCATION_REASONS),
    at: clientTime,
  }),
);

export const clientAuditEventSchema = z.lazy(() =>
  z.discriminatedUnion('kind', [
    terminalTokenRefusedSchema,
    terminalTokenIssuedSchema,
    terminalTokenRevokedSchema,
  ]),
);
export type ClientAuditEvent = z.infer<typeof clientAuditEventSchema>;

/** At most this many events per request; the agent sends more in several requests. */
export const CLIENT_AUDIT_MAX_EVENTS = 50;
/** The route's body limit in bytes (50 events fit in well under half of it). */
export const CLIENT_AUDIT_MAX_BODY_BYTES = 32 * 1024;

export const clientAuditRequestSchema = z.lazy(() =>
  z.strictObject({
    events: z.array(clientAuditEventSchema).min(1).max(CLIENT_AUDIT_MAX_EVENTS),
  }),
);
export type ClientAuditRequest = z.infer<typeof clientAuditRequestSchema>;

export const clientAuditResponseSchema = z.lazy(() => z.strictObject({ recorded: z.number().int().min(0) }));
export type ClientAuditResponse = z.infer<typeof clientAuditResponseSchema>;

export const CLIENT_AUDIT_PATH = '/api/v1/audit/client-events';
