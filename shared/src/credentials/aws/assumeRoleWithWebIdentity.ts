import type { AwsProfileConfig } from '../../config/StrongroomConfig.js';
import { StrongroomError } from '../../errors/StrongroomError.js';
import type { AwsWebIdentityResponse } from '../../protocol/awsApi.js';
import type { AwsCredentials } from './AwsCredentials.js';

/**
 * Trades the broker's web-identity token at STS (`AssumeRoleWithWebIdentity`, AWS SDK for
 * JavaScript v3) for temporary credentials. The call is unsigned: the token is the credential.
 * The SDK is imported here, on a cache miss only, so the cached path never loads it.
 */
export async function assumeRoleWithWebIdentity(
  aws: AwsProfileConfig | undefined,
  identity: AwsWebIdentityResponse,
): Promise<AwsCredentials> {
  // The SDK warns on stderr about Node versions it will drop next year; `credential-process` and the
  // other helpers promise a quiet stderr (tools show it to the user), and Node 20 is our target.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const { STSClient, AssumeRoleWithWebIdentityCommand } = await import('@aws-sdk/client-sts');
  const client = new STSClient({
    region: aws?.region ?? 'us-east-1',
    ...(aws?.stsEndpoint === undefined ? {} : { endpoint: aws.stsEndpoint }),
    maxAttempts: 2,
  });
  try {
    const answer = await client.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: identity.roleArn,
        RoleSessionName: identity.roleSessionName,
        WebIdentityToken: identity.token,
        DurationSeconds: identity.durationSeconds,
      }),
    );
    const c = answer.Credentials;
    if (
      c?.AccessKeyId === undefined ||
      c.SecretAccessKey === undefined ||
      c.SessionToken === undefined ||
      c.Expiration === undefined
    )
      throw new StrongroomError('broker_error', 'STS answered without credentials.');
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: Math.min(c.Expiration.getTime(), identity.grantExpiresAt),
      grantId: identity.grantId,
      roleArn: identity.roleArn,
    };
  } catch (error) {
    if (error instanceof StrongroomError) throw error;
    // The SDK's error names the STS code (AccessDenied, InvalidIdentityToken, ExpiredTokenException)
    // and its message; neither carries the token.
    const name = error instanceof Error ? error.name : 'Error';
    const detail = error instanceof Error ? error.message.slice(0, 300) : '';
    throw new StrongroomError(
      name === 'AccessDenied' || name === 'InvalidIdentityToken' || name === 'ExpiredTokenException'
        ? 'denied'
        : 'broker_error',
      `STS refused AssumeRoleWithWebIdentity for ${identity.roleArn} (${name}${detail === '' ? '' : `: ${detail}`}).`,
      {
        cause: error,
        hint: `Check the STS endpoint (${aws?.stsEndpoint ?? 'AWS default'}) and that the role trusts this broker as an OIDC provider.`,
      },
    );
  } finally {
    client.destroy();
  }
}
