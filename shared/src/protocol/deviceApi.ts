import { z } from 'zod';
import { postureResultSchema } from '../posture/PostureReport.js';

// Composite schemas are z.lazy: built on their first parse, not when this module loads, so a
// client that starts with it (the extension's in-process agent, issue 7's < 50 ms) pays only for
// the ones it uses. z.lazy(...).unwrap() gives the object schema where one is extended.

/**
 * Wire contracts of the broker's device and posture API (`/api/v1/devices`, `/api/v1/posture*`),
 * written once and imported by the broker and the clients (CONVENTIONS.md, Boundaries). Requests
 * are strict: an unknown field is refused (ARCHITECTURE.md, "Security rules").
 */

const b64url = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, 'base64url');

/** The device key's public half (P-256, RFC 7517); private members are refused by strictness. */
export const devicePublicJwkSchema = z.lazy(() =>
  z.strictObject({
    kty: z.literal('EC'),
    crv: z.literal('P-256'),
    x: b64url(43, 43),
    y: b64url(43, 43),
  }),
);

export const keyProtectionSchema = z.enum(['software', 'tpm', 'secure-enclave']);

/** Facts about the machine, as far as they are readable without root. */
export const platformFactsSchema = z.lazy(() =>
  z.strictObject({
    os: z.string().min(1).max(32),
    osVersion: z.string().min(1).max(200),
    hostname: z.string().min(1).max(253),
    model: z.string().min(1).max(200).optional(),
    serial: z.string().min(1).max(200).optional(),
  }),
);

/** `POST /api/v1/devices`: the key must be the one that signs this request's DPoP proof. */
export const deviceEnrollmentRequestSchema = z.lazy(() =>
  z.strictObject({
    publicJwk: devicePublicJwkSchema,
    keyProtection: keyProtectionSchema,
    platform: platformFactsSchema,
  }),
);

export const deviceStatusSchema = z.enum(['active', 'pending', 'locked', 'removed', 'replaced']);

export const postureStatusSchema = z.enum(['pass', 'fail', 'unknown']);

/** The latest verified posture of a device, as the broker stored it. */
export const devicePostureSchema = z.lazy(() =>
  z.object({
    attestedAt: z.iso.datetime(),
    compliant: z.boolean(),
    agentVersion: z.string(),
    checks: z.array(z.object({ id: z.string(), status: postureStatusSchema, observed: z.string() })),
  }),
);

export const deviceViewSchema = z.lazy(() =>
  z.object({
    id: z.string(),
    thumbprint: z.string(),
    keyProtection: keyProtectionSchema,
    os: z.string(),
    osVersion: z.string(),
    hostname: z.string(),
    model: z.string().nullable(),
    serial: z.string().nullable(),
    status: deviceStatusSchema,
    enrolledAt: z.iso.datetime(),
    replacedBy: z.string().nullable(),
    /** True for the device whose key signed the request's DPoP proof. */
    current: z.boolean(),
    posture: devicePostureSchema.nullable(),
  }),
);

export const deviceEnrollmentResponseSchema = z.lazy(() =>
  z.object({
    device: deviceViewSchema,
    /** `enrolled`: new; `existing`: this key was already enrolled; `reenrolled`: replaced older devices. */
    outcome: z.enum(['enrolled', 'existing', 'reenrolled']),
    replaced: z.array(z.string()),
  }),
);

export const deviceListResponseSchema = z.lazy(() => z.object({ devices: z.array(deviceViewSchema) }));

/** `POST /api/v1/posture/nonce` answer: single use, bound to the user and the calling device. */
export const postureNonceResponseSchema = z.lazy(() =>
  z.object({
    nonce: z.string(),
    deviceId: z.string(),
    expiresAt: z.iso.datetime(),
  }),
);

/** Largest compact JWS the broker reads (a full six-check report is about 3 KiB). */
export const MAX_POSTURE_REPORT_BYTES = 16 * 1024;

/** JWS `typ` of a posture report (RFC 7515 §4.1.9), so no other JWT can be passed off as one. */
export const POSTURE_REPORT_TYP = 'strongroom-posture+jwt';

/** The signed claims of a posture report (the JWS payload). `iat` is seconds since the epoch. */
export const postureAttestationPayloadSchema = z.lazy(() =>
  z.strictObject({
    deviceId: z.string().min(1).max(100),
    nonce: b64url(22, 200),
    iat: z.number().int().nonnegative(),
    platform: z.string().min(1).max(32),
    agentVersion: z.string().min(1).max(64),
    checks: z
      .array(postureResultSchema)
      .min(1)
      .max(16)
      .refine((checks) => new Set(checks.map((c) => c.id)).size === checks.length, 'check ids repeat'),
  }),
);

export type PostureAttestationPayload = z.infer<typeof postureAttestationPayloadSchema>;

/** `POST /api/v1/posture` body. */
export const postureSubmissionSchema = z.lazy(() =>
  z.strictObject({
    report: z.string().min(1),
  }),
);

export const postureVerdictSchema = z.lazy(() =>
  z.object({
    deviceId: z.string(),
    compliant: z.boolean(),
    attestedAt: z.iso.datetime(),
    checks: z.record(z.string(), postureStatusSchema),
  }),
);

export type DeviceEnrollmentRequest = z.infer<typeof deviceEnrollmentRequestSchema>;
export type DeviceView = z.infer<typeof deviceViewSchema>;
export type DeviceEnrollmentResponse = z.infer<typeof deviceEnrollmentResponseSchema>;
export type PostureNonceResponse = z.infer<typeof postureNonceResponseSchema>;
export type PostureVerdict = z.infer<typeof postureVerdictSchema>;
export type PlatformFacts = z.infer<typeof platformFactsSchema>;
