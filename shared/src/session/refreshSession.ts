import * as client from 'openid-client';
import type { ResolvedProfile } from '../config/resolveProfile.js';
import { deviceDpopHandle } from '../oidc/deviceDpopHandle.js';
import { StrongroomError } from '../errors/StrongroomError.js';
import { checkAuthenticationStrength } from '../oidc/checkAuthenticationStrength.js';
import { classifyOidcError } from '../oidc/classifyOidcError.js';
import { discoverBroker } from '../oidc/discoverBroker.js';
import type { CredentialStore } from '../vault/CredentialStore.js';
import type { HostContext } from './HostContext.js';
import type { SessionSummary } from './SessionSummary.js';
import { readSession } from './readSession.js';
import { REFRESH_TOKEN_ENTRY } from './sessionEntries.js';
import { storeSession } from './storeSession.js';
import { summarizeTokens } from './summarizeTokens.js';

export interface RefreshResult {
  readonly accessToken: string;
  readonly summary: SessionSummary;
}

/**
 * Codes after which the session cannot recover: wipe it and tell the user to sign in again. A broker
 * that is down, answers 5xx or is mid-deploy (`broker_unreachable`, `broker_error`) keeps the session:
 * the refresh token is still good and the next attempt may succeed.
 */
const FATAL = new Set(['session_expired', 'token_invalid', 'insufficient_authentication', 'denied']);

/**
 * Refreshes in flight, per vault and profile. The broker rotates the refresh token on every use and
 * treats a second use of the old one as theft (it revokes the whole session), so two refreshes at
 * once in one process (a long-running agent whose posture attestation, event stream and list sync
 * all find the token due together) must share one grant request. Separate processes can still race;
 * that is why the CLI asks a running agent instead of refreshing itself.
 */
const inFlight = new WeakMap<CredentialStore, Map<string, Promise<RefreshResult>>>();

export function refreshSession(options: {
  host: HostContext;
  profile: ResolvedProfile;
  store: CredentialStore;
}): Promise<RefreshResult> {
  let byProfile = inFlight.get(options.store);
  if (byProfile === undefined) inFlight.set(options.store, (byProfile = new Map()));
  const running = byProfile.get(options.profile.name);
  if (running !== undefined) return running;
  const started = refreshOnce(options).finally(() => byProfile.delete(options.profile.name));
  byProfile.set(options.profile.name, started);
  return started;
}

/**
 * Refresh-token grant with a DPoP proof from the device key (RFC 9449 §5). The broker rotates the
 * refresh token on every use and revokes the whole session on reuse, so the new one replaces the old
 * one at once. If the broker refuses (revoked, expired, session ended), the profile is wiped and the
 * user is told why; a broker that is merely unreachable leaves the session in place.
 */
async function refreshOnce(options: {
  host: HostContext;
  profile: ResolvedProfile;
  store: CredentialStore;
}): Promise<RefreshResult> {
  const { host, profile, store } = options;
  const previous = await readSession(store, profile.name);
  if (previous === undefined) {
    throw new StrongroomError('not_signed_in', `You are not signed in to ${profile.broker}.`, {
      hint: 'Run `strongroom login`.',
    });
  }
  const refreshToken = await store.get(profile.name, REFRESH_TOKEN_ENTRY);
  if (refreshToken === undefined) {
    await store.clearProfile(profile.name);
    throw ended(
      new StrongroomError('session_expired', 'Your session has ended: it reached its maximum lifetime.', {
        hint: 'Run `strongroom login` to sign in again.',
      }),
      host,
    );
  }
  try {
    // Loaded with the first refresh (see createBrokerClient): not on a host's start path.
    const deviceKey = await (await import('../device/loadDeviceKey.js')).loadDeviceKey(store, profile.name);
    const config = await discoverBroker(profile);
    const tokens = await client
      .refreshTokenGrant(config, refreshToken, undefined, {
        DPoP: await deviceDpopHandle(config, deviceKey),
      })
      .catch((error: unknown) => {
        throw classifyOidcError(error, profile.broker);
      });
    const claims = tokens.claims() as Record<string, unknown> | undefined;
    if (claims !== undefined && claims['sub'] !== previous.subject) {
      throw new StrongroomError('token_invalid', 'The broker refreshed the session for a different user.', {
        hint: 'Run `strongroom login` again.',
      });
    }
    const strength = claims === undefined ? undefined : checkAuthenticationStrength(claims, [previous.acr]);
    const refreshIn = (tokens as { refresh_token_expires_in?: unknown }).refresh_token_expires_in;
    const summary = summarizeTokens(
      {
        tokenType: tokens.token_type,
        expiresIn: tokens.expiresIn(),
        refreshTokenExpiresIn: typeof refreshIn === 'number' ? refreshIn : undefined,
        idTokenClaims: claims,
        claims,
      },
      strength,
      deviceKey,
      host.now(),
      previous,
    );
    await storeSession(
      store,
      profile.name,
      { accessToken: tokens.access_token, refreshToken: tokens.refresh_token ?? refreshToken },
      summary,
    );
    host.log('debug', 'Refreshed the access token');
    return { accessToken: tokens.access_token, summary };
  } catch (error) {
    const failure = error instanceof StrongroomError ? error : classifyOidcError(error, profile.broker);
    if (!FATAL.has(failure.code)) throw failure;
    await store.clearProfile(profile.name);
    throw ended(
      new StrongroomError('session_expired', `Your Strongroom session has ended: ${failure.message}`, {
        cause: failure,
        hint: 'Your local credentials were removed. Run `strongroom login` to sign in again.',
      }),
      host,
    );
  }
}

function ended(error: StrongroomError, host: HostContext): StrongroomError {
  host.notify(`${error.message} ${error.hint ?? ''}`.trim());
  return error;
}
