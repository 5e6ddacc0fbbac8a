import { z } from 'zod';
import { agentMethod } from './agentApi.js';

// Composite schemas are z.lazy: built on their first parse, not when this module loads, so a
// client that starts with it (the extension's in-process agent, issue 7's < 50 ms) pays only for
// the ones it uses. z.lazy(...).unwrap() gives the object schema where one is extended.

/** A catalog service id or an audience URL, as `token --audience`, the git map and the kube map name it. */
const service = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'a service id or audience');
/** The profile the caller means; an agent serving another one refuses (`not_found`) and the CLI works alone. */
const profile = z.string().min(1).max(64).optional();

/**
 * `serviceToken.get`: what `strongroom git-credential`, `kube-credential` and `token --audience` ask
 * a running agent (issue 8: the credential helpers go through the socket) in one round trip: an
 * audience-scoped token for a service (RFC 8693 token exchange at the broker, DPoP-bound when the
 * service asks), from the agent's memory while it is fresh. The agent answers only for the profile
 * it serves, only while signed in, unlocked and with a passing posture.
 */
export const serviceTokenParamsSchema = z.lazy(() =>
  z.strictObject({
    audience: service,
    profile,
    grantId: z.string().min(1).max(200).optional(),
  }),
);
export type ServiceTokenParams = z.infer<typeof serviceTokenParamsSchema>;

/** The ServiceToken (service-tokens/ServiceToken.ts) as it crosses the socket. Times in epoch ms. */
export const serviceTokenResultSchema = z.lazy(() =>
  z.strictObject({
    token: z.string().min(1),
    tokenType: z.enum(['DPoP', 'Bearer']),
    audience: z.string(),
    expiresAt: z.number(),
    grantId: z.string(),
  }),
);
export type ServiceTokenResult = z.infer<typeof serviceTokenResultSchema>;

export const SERVICE_TOKEN_METHOD = 'serviceToken.get';
export const serviceTokenMethod = agentMethod(
  serviceTokenParamsSchema,
  serviceTokenResultSchema,
  'A short-lived token for a service (git-credential, kube-credential, token --audience).',
);

/**
 * `serviceToken.erase`: git's `erase` (the server rejected the token) through the agent: it drops
 * the token from its memory and the keychain, so the next `get` exchanges a new one.
 */
export const serviceTokenEraseParamsSchema = z.lazy(() => z.strictObject({ audience: service, profile }));
export const serviceTokenEraseResultSchema = z.lazy(() => z.strictObject({ erased: z.literal(true) }));

export const SERVICE_TOKEN_ERASE_METHOD = 'serviceToken.erase';
export const serviceTokenEraseMethod = agentMethod(
  serviceTokenEraseParamsSchema,
  serviceTokenEraseResultSchema,
  "Forget the cached token for a service (git's erase).",
);
