import type { ResolvedProfile } from '../config/resolveProfile.js';
import { StrongroomError } from '../errors/StrongroomError.js';
import type { CredentialStore } from '../vault/CredentialStore.js';
import type { HostContext } from './HostContext.js';
import type { RefreshResult } from './refreshSession.js';
import { isAccessTokenFresh } from './isAccessTokenFresh.js';
import { readSession } from './readSession.js';
import { ACCESS_TOKEN_ENTRY } from './sessionEntries.js';

/**
 * A usable access token: the cached one while it is fresh, otherwise a refreshed one. The refresh
 * code (openid-client, discovery) is imported only when needed, so the common case starts fast.
 */
export async function getAccessToken(options: {
  host: HostContext;
  profile: ResolvedProfile;
  store: CredentialStore;
}): Promise<RefreshResult> {
  const { host, profile, store } = options;
  // Both reads at once: each is a round trip to the keychain daemon, the bulk of `strongroom token`.
  const [summary, cached] = await Promise.all([
    readSession(store, profile.name),
    store.get(profile.name, ACCESS_TOKEN_ENTRY),
  ]);
  if (summary === undefined) {
    throw new StrongroomError(
      'not_signed_in',
      `You are not signed in to ${profile.broker} (profile "${profile.name}").`,
      { hint: 'Run `strongroom login`.' },
    );
  }
  if (cached !== undefined && isAccessTokenFresh(summary, host.now()))
    return { accessToken: cached, summary };
  const { refreshSession } = await import('./refreshSession.js');
  return refreshSession(options);
}
