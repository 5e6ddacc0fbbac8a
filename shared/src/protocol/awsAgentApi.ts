import { z } from 'zod';
import { agentMethod, terminalTtlSecondsSchema } from './agentApi.js';

// Composite schemas are z.lazy: built on their first parse, not when this module loads, so a
// client that starts with it (the extension's in-process agent, issue 7's < 50 ms) pays only for
// the ones it uses. z.lazy(...).unwrap() gives the object schema where one is extended.

/**
 * `aws.terminal`: the agent method behind `strongroom env aws --role <r>` (issue 6, item 3), which
 * the AWS helper registers with the agent's handler registry. It checks the role now (credentials are
 * fetched once, so a role without a grant fails here and not in the user's tool later), makes a
 * per-terminal token tied to that grant, and answers the two pointer variables: the loopback
 * container-credentials URL and the token. Never the keys.
 */
export const awsTerminalParamsSchema = z.lazy(() =>
  z.strictObject({
    role: z.string().min(1).max(200),
    /** The profile the caller means; an agent serving another one refuses (`not_found`). */
    profile: z.string().min(1).max(64).optional(),
    grantId: z.string().min(1).max(200).optional(),
    label: z.string().min(1).max(100).optional(),
    /** Capped by the grant's end and the session's. Default 12 hours (a training job). */
    ttlSeconds: terminalTtlSecondsSchema.optional(),
    /**
     * The process that will hold the token (the shell that evals the output, a job runner): the agent
     * revokes the token when it exits. It must be the caller's user's. Absent: only expiry, the grant
     * and the session end it (`strongroom env aws --job`).
     */
    holderPid: z
      .number()
      .int()
      .min(1)
      .max(2 ** 31 - 1)
      .optional(),
    /** The holder's start time as the caller saw it (Linux /proc/<pid>/stat field 22): a pid reused since is refused. */
    holderStart: z
      .string()
      .regex(/^\d{1,20}$/)
      .optional(),
  }),
);
export type AwsTerminalParams = z.infer<typeof awsTerminalParamsSchema>;

export const awsTerminalResultSchema = z.lazy(() =>
  z.strictObject({
    terminalId: z.string(),
    grantId: z.string(),
    expiresAt: z.number(),
    env: z.strictObject({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: z.string().startsWith('http://127.0.0.1:'),
      AWS_CONTAINER_AUTHORIZATION_TOKEN: z.string().min(43),
    }),
  }),
);
export type AwsTerminalResult = z.infer<typeof awsTerminalResultSchema>;

export const AWS_TERMINAL_METHOD = 'aws.terminal';
export const awsTerminalMethod = agentMethod(
  awsTerminalParamsSchema,
  awsTerminalResultSchema,
  'A per-terminal token and the loopback container-credentials URL for an AWS role (strongroom env aws).',
);

/**
 * `aws.credentials`: what `strongroom credential-process` asks a running agent (issue 8: the
 * credential helpers go through the socket), in one round trip: the credential_process fields for
 * a role, from the agent's memory (keychain and broker + STS behind it). The agent answers only for
 * the profile it serves and only while the device's posture passes.
 */
export const awsCredentialsParamsSchema = z.lazy(() =>
  z.strictObject({
    role: z.string().min(1).max(200),
    profile: z.string().min(1).max(64).optional(),
    grantId: z.string().min(1).max(200).optional(),
  }),
);
export const awsCredentialsResultSchema = z.lazy(() =>
  z.strictObject({
    Version: z.literal(1),
    AccessKeyId: z.string(),
    SecretAccessKey: z.string(),
    SessionToken: z.string(),
    Expiration: z.string(),
  }),
);
export type AwsCredentialsResult = z.infer<typeof awsCredentialsResultSchema>;

export const AWS_CREDENTIALS_METHOD = 'aws.credentials';
export const awsCredentialsMethod = agentMethod(
  awsCredentialsParamsSchema,
  awsCredentialsResultSchema,
  'Temporary AWS credentials for a role in the credential_process shape (strongroom credential-process).',
);
