import type { BrokerClient } from '../../broker-client/createBrokerClient.js';
import type { ResolvedProfile } from '../../config/resolveProfile.js';
import { StrongroomError } from '../../errors/StrongroomError.js';
import { awsWebIdentityResponseSchema, type AwsWebIdentityRequest } from '../../protocol/awsApi.js';
import type { CredentialStore } from '../../vault/CredentialStore.js';
import type { AwsCredentials } from './AwsCredentials.js';
import { assumeRoleWithWebIdentity } from './assumeRoleWithWebIdentity.js';
import { cacheAwsCredentials, forgetAwsRole, readCachedAwsCredentials } from './awsCredentialCache.js';

export interface AwsCredentialDeps {
  readonly profile: ResolvedProfile;
  readonly store: CredentialStore;
  /** The broker API client (DPoP-bound); made only on a cache miss. */
  readonly client: () => Promise<BrokerClient>;
  readonly now: () => number;
  /**
   * The grants the agent lists now. A keychain copy under a grant not listed (it ended while the
   * agent was down, or the agent has not synced since it started) is deleted, never served; the
   * broker decides on a fresh issue. Without it (the CLI alone) copies are trusted until expiry.
   */
  readonly listedGrants?: () => readonly string[];
}

/**
 * Credentials for a Strongroom role: the keychain cache while fresh; otherwise a web-identity token
 * from the broker (which checks the grant, policy and device, and audits the issue) traded at STS,
 * then cached. A refusal deletes whatever the cache still held for the role: the grant is gone.
 */
export async function getAwsCredentials(
  deps: AwsCredentialDeps,
  request: AwsWebIdentityRequest,
): Promise<AwsCredentials> {
  const { profile, store, now } = deps;
  const cached = await readCachedAwsCredentials(store, profile.name, request.role, now(), request.grantId);
  if (cached !== undefined && deps.listedGrants?.().includes(cached.grantId) === false)
    await forgetAwsRole(store, profile.name, request.role, cached.grantId);
  else if (cached !== undefined) return cached;
  let response: Response;
  try {
    response = await (await deps.client()).request('POST', '/api/v1/credentials/aws-web-identity', request);
  } catch (error) {
    // The broker said no (grant ended, role not granted, device refused; all 403): drop what the
    // cache held. An unreachable or failing broker says nothing about the grant.
    if (error instanceof StrongroomError && error.code === 'denied')
      await forgetAwsRole(store, profile.name, request.role, request.grantId);
    throw error;
  }
  const parsed = awsWebIdentityResponseSchema.safeParse(await response.json());
  if (!parsed.success)
    throw new StrongroomError(
      'broker_error',
      'The broker answered the AWS web-identity request with something unexpected.',
      {
        cause: parsed.error,
      },
    );
  const credentials = await assumeRoleWithWebIdentity(profile.aws, parsed.data);
  await cacheAwsCredentials(store, profile.name, request.role, credentials, now());
  return credentials;
}
