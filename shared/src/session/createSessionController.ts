import { createBrokerClient, type BrokerClient } from '../broker-client/createBrokerClient.js';
import type { ResolvedProfile } from '../config/resolveProfile.js';
import type { StrongroomError } from '../errors/StrongroomError.js';
import type { StepUpRequirements } from '../oidc/loginWithBrowser.js';
import type { CredentialStore } from '../vault/CredentialStore.js';
import type { HostContext } from './HostContext.js';
import type { SessionSummary } from './SessionSummary.js';
import { getAccessToken } from './getAccessToken.js';
import { readSession } from './readSession.js';
import { refreshSession } from './refreshSession.js';
import { signOut, type SignOutResult } from './signOut.js';
import { startBackgroundRefresh } from './startBackgroundRefresh.js';

export interface SessionController {
  login(stepUp?: StepUpRequirements): Promise<SessionSummary>;
  status(): Promise<SessionSummary | undefined>;
  accessToken(): Promise<string>;
  logout(options?: { forgetDevice?: boolean }): Promise<SignOutResult>;
  /** Broker API with DPoP, refresh-on-invalid_token and RFC 9470 step-up through `login`. */
  readonly api: BrokerClient;
  /** For long-running hosts: refresh at ~80% of each access token's life until the session ends. */
  keepFresh(onEnded?: (reason: StrongroomError | undefined) => void): { stop: () => void };
}

/**
 * One profile's session, wired together for a host (tray app, extension, CLI): the host supplies
 * its context, the vault and the profile; everything else is the client core.
 */
export function createSessionController(options: {
  host: HostContext;
  store: CredentialStore;
  profile: ResolvedProfile;
}): SessionController {
  const { host, store, profile } = options;
  // The sign-in flow (loopback callback, PKCE, the device key's enrollment) loads when a sign-in
  // starts: a host that finds a session in the vault never needs it to draw its first state.
  const login = async (stepUp?: StepUpRequirements): Promise<SessionSummary> =>
    (await import('../oidc/loginWithBrowser.js')).loginWithBrowser({ host, store, profile, stepUp });
  return {
    login,
    status: () => readSession(store, profile.name),
    accessToken: async () => (await getAccessToken({ host, store, profile })).accessToken,
    logout: (o) => signOut({ host, store, profile, forgetDevice: o?.forgetDevice === true }),
    api: createBrokerClient({ host, store, profile, stepUp: login }),
    keepFresh: (onEnded) =>
      startBackgroundRefresh({
        host,
        readSession: () => readSession(store, profile.name),
        refresh: () => refreshSession({ host, store, profile }),
        ...(onEnded !== undefined ? { onEnded } : {}),
      }),
  };
}
