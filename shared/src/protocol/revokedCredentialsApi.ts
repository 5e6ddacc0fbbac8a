import { z } from 'zod';

/**
 * `GET /api/v1/credentials/revoked[?kind=…]`: the broker's denylist of bearer credentials (JWTs)
 * that were revoked before they expired (their grant ended early, their holder was locked).
 * Public like a CRL: it lists random token ids and expiries, nothing about who held them.
 * Resource services poll it (shared/src/service-auth); SSH certificates have the KRL instead.
 */
export const DENYLIST_KINDS = ['service-token', 'git-token', 'kube-token', 'aws-web-identity'] as const;
export type DenylistKind = (typeof DENYLIST_KINDS)[number];

export const revokedCredentialsQuerySchema = z.strictObject({
  kind: z.union([z.enum(DENYLIST_KINDS), z.array(z.enum(DENYLIST_KINDS)).min(1).max(4)]).optional(),
});

export const revokedCredentialsResponseSchema = z.object({
  /** Broker time of the answer, epoch ms. */
  generatedAt: z.number().int(),
  /** Revoked and not yet expired; an entry disappears once its token could no longer pass `exp`. */
  revoked: z.array(
    z.object({
      id: z.string().min(1).max(200),
      kind: z.enum(DENYLIST_KINDS),
      expiresAt: z.number().int(),
    }),
  ),
});
export type RevokedCredentialsResponse = z.infer<typeof revokedCredentialsResponseSchema>;
