import { createHash, timingSafeEqual } from 'node:crypto';
import * as client from 'openid-client';
import type { ResolvedProfile } from '../config/resolveProfile.js';
import { loadDeviceKey } from '../device/loadDeviceKey.js';
import { deviceDpopHandle } from './deviceDpopHandle.js';
import { StrongroomError } from '../errors/StrongroomError.js';
import type { HostContext } from '../session/HostContext.js';
import type { SessionSummary } from '../session/SessionSummary.js';
import { storeSession } from '../session/storeSession.js';
import { summarizeTokens } from '../session/summarizeTokens.js';
import type { CredentialStore } from '../vault/CredentialStore.js';
import { checkAuthenticationStrength } from './checkAuthenticationStrength.js';
import { classifyOidcError } from './classifyOidcError.js';
import { discoverBroker } from './discoverBroker.js';
import { startLoopbackCallback } from './startLoopbackCallback.js';
import { stepUpAcrValues } from './stepUpAcrValues.js';

/** Extra requirements from a step-up challenge (RFC 9470 §3). */
export interface StepUpRequirements {
  readonly acrValues?: readonly string[] | undefined;
  readonly maxAge?: number | undefined;
}

export interface LoginOptions {
  readonly host: HostContext;
  readonly profile: ResolvedProfile;
  readonly store: CredentialStore;
  readonly stepUp?: StepUpRequirements | undefined;
  /** How long to wait for the browser to come back; 5 minutes by default. */
  readonly timeoutMs?: number | undefined;
}

const SCOPE = 'openid offline_access email profile';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
const sameSecret = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));

/**
 * Signs in through the system browser: authorization code with PKCE S256 (RFC 7636), a one-shot
 * loopback redirect (RFC 8252 §7.3), state and nonce checked by openid-client, the authorization
 * code bound to the device key with `dpop_jkt` (RFC 9449 §10) and redeemed with a DPoP proof.
 * Only after every check passes are tokens written to the vault.
 */
export async function loginWithBrowser(options: LoginOptions): Promise<SessionSummary> {
  const { host, profile, store } = options;
  // Broker first (an unreachable broker writes nothing), then the key: a locked or missing keychain
  // fails here, before the browser opens and the user touches their security key.
  // Never below the profile's level, whatever a step-up challenge asked for (stepUpAcrValues.ts).
  const acceptedAcr = stepUpAcrValues(options.stepUp?.acrValues, profile.acr);
  const config = await discoverBroker(profile);
  const deviceKey = await loadDeviceKey(store, profile.name);
  const dpop = await deviceDpopHandle(config, deviceKey);
  const maxAge = options.stepUp?.maxAge;

  const loopback = await startLoopbackCallback({ timeoutMs: options.timeoutMs ?? 5 * 60_000 });
  try {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const parameters: Record<string, string> = {
      redirect_uri: loopback.redirectUri,
      scope: SCOPE,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      acr_values: acceptedAcr.join(' '),
      dpop_jkt: deviceKey.thumbprint,
    };
    if (maxAge !== undefined) parameters['max_age'] = String(maxAge);
    const url = client.buildAuthorizationUrl(config, parameters);
    host.log('info', `Opening the browser to sign in at ${profile.broker}`);
    // Not awaited before listening: a browser opener may only return once the page has loaded,
    // which is after our callback answered. If it fails, the login fails with its error.
    const opening = new Promise<never>((_resolve, reject) => {
      host.openBrowser(url.href).catch((error: unknown) =>
        reject(
          error instanceof StrongroomError
            ? error
            : new StrongroomError('login_failed', 'Could not open the browser to sign in.', {
                cause: error,
                hint: 'Use `strongroom login --no-browser` and open the printed URL yourself.',
              }),
        ),
      );
    });
    const received = await Promise.race([loopback.callback, opening]);
    try {
      // openid-client checks state too; checking here first gives the user the specific reason and
      // guarantees a response meant for another sign-in never reaches the token endpoint (RFC 6749 §10.12).
      if (!sameSecret(received.url.searchParams.get('state') ?? '', state)) {
        throw new StrongroomError(
          'login_failed',
          'The sign-in response does not belong to this sign-in (its "state" does not match).',
          {
            hint: 'Nothing was stored. It may have come from an old tab or a forged link; run `strongroom login` again.',
          },
        );
      }
      const tokens = await client
        .authorizationCodeGrant(
          config,
          received.url,
          {
            pkceCodeVerifier: verifier,
            expectedState: state,
            expectedNonce: nonce,
            ...(maxAge !== undefined ? { maxAge } : {}),
          },
          { redirect_uri: loopback.redirectUri },
          { DPoP: dpop },
        )
        .catch((error: unknown) => {
          throw classifyOidcError(error, profile.broker);
        });
      const claims = tokens.claims() as Record<string, unknown> | undefined;
      if (claims === undefined)
        throw new StrongroomError('token_invalid', 'The broker returned no ID token.', {
          hint: 'Nothing was stored.',
        });
      const strength = checkAuthenticationStrength(claims, acceptedAcr);
      const profileClaims = await fetchProfileClaims(config, tokens.access_token, claims, dpop);
      const refreshIn = (tokens as { refresh_token_expires_in?: unknown }).refresh_token_expires_in;
      const summary = summarizeTokens(
        {
          tokenType: tokens.token_type,
          expiresIn: tokens.expiresIn(),
          refreshTokenExpiresIn: typeof refreshIn === 'number' ? refreshIn : undefined,
          idTokenClaims: claims,
          claims: { ...profileClaims, ...claims },
        },
        strength,
        deviceKey,
        host.now(),
        undefined,
      );
      // A previous session of this profile is replaced wholesale. Its refresh token is not revoked:
      // with single sign-on the broker issues the new tokens under the same grant, and revoking the
      // old token would revoke the grant and with it the new session (RFC 7009 §2.1). The old token
      // is deleted here, and it is DPoP-bound to this device's key.
      await store.clearProfile(profile.name);
      await storeSession(
        store,
        profile.name,
        { accessToken: tokens.access_token, refreshToken: tokens.refresh_token },
        summary,
      );
      await received.respond({
        outcome: 'success',
        title: 'Signed in to Strongroom',
        detail: `Signed in as ${summary.email ?? summary.subject} with a hardware security key. Return to your terminal or editor.`,
      });
      return summary;
    } catch (error) {
      const failure = error instanceof StrongroomError ? error : classifyOidcError(error, profile.broker);
      await received.respond({
        outcome: 'error',
        title: 'Sign-in failed',
        detail: `${failure.message} ${failure.hint ?? ''}`.trim(),
      });
      throw failure;
    }
  } finally {
    await loopback.close();
  }
}

/**
 * Email and name for `strongroom status`. Providers may keep them out of the ID token (OIDC Core
 * §5.4) and serve them from UserInfo; that call is DPoP-bound too. Best effort: a failure only
 * means status shows the subject instead.
 */
async function fetchProfileClaims(
  config: client.Configuration,
  accessToken: string,
  claims: Record<string, unknown>,
  dpop: client.DPoPHandle,
): Promise<Record<string, unknown>> {
  if (typeof claims['email'] === 'string' || config.serverMetadata().userinfo_endpoint === undefined)
    return {};
  try {
    const info = await client.fetchUserInfo(config, accessToken, String(claims['sub']), { DPoP: dpop });
    return { email: info.email, name: info.name };
  } catch {
    return {};
  }
}
