import { z } from 'zod';
import { apiOptionsSchema } from '../api/apiOptions.js';

/**
 * The broker's one config schema (CONVENTIONS.md: "one zod schema per program, which is the type,
 * the defaults and the docs"). Parsed once at start by `loadBrokerConfig`, then frozen.
 */
export const brokerConfigSchema = z
  .object({
    /**
     * TCP port to listen on. Not 0: the issuer (and so every token and DPoP `htu`) names the port,
     * so it must be known before start; tests pick a free port first (test/src/harness/startBroker.ts).
     */
    port: z.number().int().min(1).max(65535).default(7700),
    /** Address to bind. Loopback unless TLS is configured or `insecureDev` is set. */
    host: z.string().min(1).default('127.0.0.1'),
    /**
     * The OpenID Provider issuer and the origin of the broker's pages. A host name, not an IP address:
     * browsers refuse WebAuthn on an IP-address origin, so this is also the WebAuthn RP ID's origin.
     * When omitted it is `http://localhost:<port>`.
     */
    issuer: z.url().optional(),
    /** Where the SQLite store and other local state live. */
    dataDir: z.string().min(1).default('./.strongroom'),
    store: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('sqlite') }).strict(),
        z
          .object({
            kind: z.literal('postgres'),
            url: z.string().min(1),
            /** A PostgreSQL schema for the tables (one per deployment or test run). */
            schema: z
              .string()
              .regex(/^[a-z_][a-z0-9_]{0,62}$/)
              .optional(),
          })
          .strict(),
      ])
      .default({ kind: 'sqlite' }),
    /** Access token lifetime in seconds (short: tokens are DPoP-bound but still bearer-like inside the device). */
    accessTokenTtlSeconds: z.number().int().min(30).max(3600).default(600),
    /** Absolute session lifetime in seconds: refresh tokens and sessions end here no matter how often used. */
    sessionTtlSeconds: z
      .number()
      .int()
      .min(60)
      .max(7 * 24 * 3600)
      .default(12 * 3600),
    /** One-time enrollment links expire after this many seconds. */
    enrollmentTtlSeconds: z
      .number()
      .int()
      .min(60)
      .max(7 * 24 * 3600)
      .default(15 * 60),
    /** Email of the first admin, enrolled through the link printed at first start. */
    adminEmail: z.email().default('admin@localhost'),
    /** Authenticator models (AAGUIDs, lower-case UUID form) allowed to enroll; empty means any model. */
    // AAGUIDs are 16 opaque bytes (WebAuthn L3 §6.5.1), not always RFC 9562 UUIDs: any 8-4-4-4-12 hex.
    aaguidAllowList: z.array(z.guid()).default([]),
    /** Allows plain HTTP on a non-loopback address. Development only. */
    insecureDev: z.boolean().default(false),
    /** PEM files for HTTPS. */
    tls: z
      .object({ certFile: z.string().min(1), keyFile: z.string().min(1) })
      .strict()
      .optional(),
    /**
     * Device and posture API (`/api/v1/devices`, `/api/v1/posture`): `requireAdminApprovalForReenrollment`
     * (default false), DPoP and report time windows, nonce and posture lifetimes (api/apiOptions.ts).
     */
    devices: apiOptionsSchema.prefault({}),
    /** Seed demo roles and assets (`npm start`). */
    demo: z.boolean().default(false),
    /**
     * The policy bundle directory (`--policy DIR`); default: the bundle shipped with the broker
     * (broker/policy/default). SIGHUP re-reads it and swaps it in only if it is valid.
     */
    policyDir: z.string().min(1).optional(),
    /**
     * `aud` of the AWS web-identity tokens (`POST /api/v1/credentials/aws-web-identity`): the client
     * id registered for the broker in the AWS account's IAM OIDC provider, `sts.amazonaws.com` by
     * convention; an S3-compatible store's STS may expect its own (`--aws-audience`).
     */
    awsAudience: z.string().min(1).max(200).default('sts.amazonaws.com'),
  })
  .strict();

export type BrokerConfigInput = z.input<typeof brokerConfigSchema>;

/** The parsed, frozen config; `issuer` is always resolved. */
export type BrokerConfig = Readonly<Omit<z.output<typeof brokerConfigSchema>, 'issuer'> & { issuer: string }>;
