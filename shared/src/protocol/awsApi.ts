import { z } from 'zod';

/**
 * `POST /api/v1/credentials/aws-web-identity` (issue 6, item 3): the broker signs a short-lived
 * OpenID Connect web-identity token for an AWS role mapped from the caller's grant; the client
 * trades it at STS (`AssumeRoleWithWebIdentity`) for temporary credentials. Written once here,
 * imported by the broker and the clients.
 */
export const awsWebIdentityRequestSchema = z.strictObject({
  /** A Strongroom name: an asset with an `awsRoleArn` (e.g. `s3://corp-ml/raw/`), or a Role whose assets map to one. */
  role: z.string().min(1).max(200),
  /** Pins the grant when the caller holds several that cover the role. */
  grantId: z.string().min(1).max(200).optional(),
});
export type AwsWebIdentityRequest = z.infer<typeof awsWebIdentityRequestSchema>;

export const awsWebIdentityResponseSchema = z.strictObject({
  /** The signed JWT (`WebIdentityToken`); a bearer secret until it expires. */
  token: z.string().min(1),
  /** The IAM role to assume, from the catalog's `awsRoleArn`. */
  roleArn: z.string().regex(/^arn:[a-z-]+:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'an IAM role ARN'),
  /** `RoleSessionName` (who, for CloudTrail): [\w+=,.@-]{2,64}. */
  roleSessionName: z.string().regex(/^[\w+=,.@-]{2,64}$/),
  /** `DurationSeconds` to ask STS for: 900 (the STS minimum) to 3600. */
  durationSeconds: z.number().int().min(900).max(3600),
  /** The token's `exp` in epoch milliseconds. */
  expiresAt: z.number().int(),
  grantId: z.string(),
  /** When the grant ends (ms): credentials are never reported valid past it. */
  grantExpiresAt: z.number().int(),
  /** The JWT's `aud` (`sts.amazonaws.com` unless the broker is configured otherwise). */
  audience: z.string(),
});
export type AwsWebIdentityResponse = z.infer<typeof awsWebIdentityResponseSchema>;
