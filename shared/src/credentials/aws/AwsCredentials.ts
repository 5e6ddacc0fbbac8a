/**
 * Temporary AWS credentials from STS `AssumeRoleWithWebIdentity`, as the client keeps them.
 * `expiration` is the earlier of STS's `Expiration` and the grant's end: tools refresh at the grant's
 * end and are then refused, even though STS cannot issue sessions shorter than 15 minutes.
 */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** Epoch milliseconds. */
  readonly expiration: number;
  /** The grant they were issued under; wiped when it ends. */
  readonly grantId: string;
  readonly roleArn: string;
}

/** The `credential_process` answer (AWS CLI and SDKs: "Sourcing credentials with an external process"). */
export function credentialProcessJson(c: AwsCredentials): string {
  return JSON.stringify({
    Version: 1,
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
    SessionToken: c.sessionToken,
    Expiration: new Date(c.expiration).toISOString(),
  });
}

/** The container-credentials answer (`AWS_CONTAINER_CREDENTIALS_FULL_URI`): `Token`, not `SessionToken`. */
export function containerCredentialsJson(c: AwsCredentials): string {
  return JSON.stringify({
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
    Token: c.sessionToken,
    Expiration: new Date(c.expiration).toISOString(),
    RoleArn: c.roleArn,
  });
}
