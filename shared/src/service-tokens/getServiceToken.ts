import type { ResolvedProfile } from '../config/resolveProfile.js';
import { StrongroomError } from '../errors/StrongroomError.js';
import type { HostContext } from '../session/HostContext.js';
import type { CredentialStore } from '../vault/CredentialStore.js';
import type { ServiceToken } from './ServiceToken.js';
import { cacheServiceToken, eraseServiceToken, readCachedServiceToken } from './serviceTokenCache.js';

/**
 * A token for a service: the keychain's while fresh, otherwise a new one from token exchange
 * (imported only then, so a cache hit loads no OIDC client), cached until shortly before expiry. A
 * refusal deletes what the cache held for the service: the grant behind it is gone.
 *
 * `listedGrants` (the agent's grants now): a keychain copy under a grant not listed (it ended while
 * the agent was down, or the agent has not synced since it started) is deleted, never served; the
 * broker decides on a fresh exchange. Without it (the CLI alone) copies are trusted until expiry.
 */
export async function getServiceToken(
  context: {
    host: HostContext;
    profile: ResolvedProfile;
    store: CredentialStore;
    listedGrants?: () => readonly string[];
  },
  request: { audience: string; grantId?: string },
): Promise<ServiceToken> {
  const { host, profile, store } = context;
  const cached = await readCachedServiceToken(store, profile.name, request.audience, host.now());
  if (cached !== undefined && context.listedGrants?.().includes(cached.grantId) === false)
    await eraseServiceToken(store, profile.name, request.audience);
  else if (cached !== undefined && (request.grantId === undefined || cached.grantId === request.grantId))
    return cached;
  const { exchangeServiceToken } = await import('./exchangeServiceToken.js');
  let token: ServiceToken;
  try {
    token = await exchangeServiceToken(context, request);
  } catch (error) {
    if (error instanceof StrongroomError && error.code === 'denied')
      await eraseServiceToken(store, profile.name, request.audience);
    throw error;
  }
  await cacheServiceToken(store, profile.name, request.audience, token, host.now());
  return token;
}
