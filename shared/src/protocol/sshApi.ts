import { z } from 'zod';

// Composite schemas are z.lazy: built on their first parse, not when this module loads, so a
// client that starts with it (the extension's in-process agent, issue 7's < 50 ms) pays only for
// the ones it uses. z.lazy(...).unwrap() gives the object schema where one is extended.

/**
 * Wire contract of SSH certificates (issue 6 item 1), imported by the broker and the clients.
 * `POST /api/v1/credentials/ssh` certifies the caller's public key for a host group it holds an
 * active grant for; `GET /api/v1/ssh/krl` serves the revocation list hosts load as `RevokedKeys`.
 */

/** One OpenSSH public key line (`ssh-ed25519 AAAA… comment`); RSA 4096 lines are ~750 characters. */
export const sshPublicKeyLineSchema = z.string().min(1).max(4096);

export const sshCertificateRequestSchema = z.lazy(() =>
  z.strictObject({
    publicKey: sshPublicKeyLineSchema,
    /** A HostGroup of the policy bundle's catalog. */
    hostGroup: z.string().min(1).max(200),
    /** The grant to issue under; by default the caller's active grant that covers the host group. */
    grantId: z.string().uuid().optional(),
    /** Requested lifetime; the broker caps it at the grant's remaining time and one hour. */
    ttlSeconds: z.number().int().min(10).max(3600).optional(),
  }),
);
export type SshCertificateRequest = z.infer<typeof sshCertificateRequestSchema>;

export const sshCertificateResponseSchema = z.lazy(() =>
  z.object({
    /** `ssh-…-cert-v01@openssh.com AAAA… <keyId>` */
    certificate: z.string().min(1),
    principals: z.array(z.string()),
    /** Seconds since the epoch (OpenSSH's unit). */
    validAfter: z.number().int(),
    validBefore: z.number().int(),
    /** Decimal u64: what a KRL lists. */
    serial: z.string().regex(/^[1-9][0-9]{0,19}$/),
    keyId: z.string(),
    grantId: z.string(),
  }),
);
export type SshCertificateResponse = z.infer<typeof sshCertificateResponseSchema>;
