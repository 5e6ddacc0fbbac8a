import * as client from 'openid-client';
import type { ResolvedProfile } from '../config/resolveProfile.js';
import { deviceDpopHandle } from '../oidc/deviceDpopHandle.js';
import { StrongroomError } from '../errors/StrongroomError.js';
import { classifyOidcError } from '../oidc/classifyOidcError.js';
import { discoverBroker } from '../oidc/discoverBroker.js';
import type { StepUpRequirements } from '../oidc/loginWithBrowser.js';
import type { HostContext } from '../session/HostContext.js';
import { getAccessToken } from '../session/getAccessToken.js';
import type { CredentialStore } from '../vault/CredentialStore.js';
import { brokerErrorDetail } from './brokerErrorDetail.js';
import { stepUpAcrValues } from '../oidc/stepUpAcrValues.js';
import { parseStepUpChallenge } from './parseStepUpChallenge.js';

export interface BrokerClientOptions {
  readonly host: HostContext;
  readonly profile: ResolvedProfile;
  readonly store: CredentialStore;
  /**
   * Re-runs login with the step-up requirements (normally `loginWithBrowser({ ..., stepUp })`).
   * The request is retried once afterwards.
   */
  readonly stepUp: (requirements: StepUpRequirements) => Promise<unknown>;
}

export interface BrokerClient {
  /** Calls a broker API path with a DPoP-bound access token; returns the (2xx) response. */
  request(method: string, path: string, body?: unknown): Promise<Response>;
}

/**
 * The broker API client. Every call carries a DPoP proof from the device key (RFC 9449 §7);
 * openid-client retries once on `use_dpop_nonce` (§8). On `insufficient_user_authentication`
 * (RFC 9470) it steps up once and retries; on `invalid_token` it refreshes once and retries.
 */
export function createBrokerClient(options: BrokerClientOptions): BrokerClient {
  const { host, profile, store } = options;
  let setup: Promise<{ config: client.Configuration; dpop: client.DPoPHandle }> | undefined;
  const ready = (): Promise<{ config: client.Configuration; dpop: client.DPoPHandle }> =>
    (setup ??= (async () => {
      // The device-key code (TPM, stored-key schemas) loads with the first request, not with the client.
      const deviceKey = async () =>
        (await import('../device/loadDeviceKey.js')).loadDeviceKey(store, profile.name);
      const [config, key] = await Promise.all([discoverBroker(profile), deviceKey()]);
      return { config, dpop: await deviceDpopHandle(config, key) };
    })());

  const attempt = async (
    method: string,
    path: string,
    body: unknown,
    forceRefresh: boolean,
  ): Promise<Response> => {
    const { config, dpop } = await ready();
    const { accessToken } = forceRefresh
      ? await (await import('../session/refreshSession.js')).refreshSession({ host, profile, store })
      : await getAccessToken({ host, profile, store });
    const headers = new Headers({ accept: 'application/json' });
    if (body !== undefined) headers.set('content-type', 'application/json');
    const url = new URL(path, profile.broker);
    if (url.origin !== new URL(profile.broker).origin)
      throw new StrongroomError('usage', 'Broker API paths must stay on the broker.');
    return client.fetchProtectedResource(
      config,
      accessToken,
      url,
      method,
      body === undefined ? undefined : JSON.stringify(body),
      headers,
      { DPoP: dpop },
    );
  };

  return {
    async request(method, path, body) {
      let stepped = false;
      let refreshed = false;
      for (;;) {
        let response: Response;
        try {
          response = await attempt(method, path, body, refreshed);
        } catch (error) {
          if (error instanceof client.WWWAuthenticateChallengeError) {
            const stepUp = parseStepUpChallenge(error.cause);
            if (stepUp !== undefined && !stepped) {
              stepped = true;
              host.log('info', 'The broker asks for a fresh security-key sign-in for this action');
              // Checked here too, before the host's step-up runs: never ask for less than the profile's level.
              await options.stepUp({ ...stepUp, acrValues: stepUpAcrValues(stepUp.acrValues, profile.acr) });
              continue;
            }
            if (error.cause.some((c) => c.parameters['error'] === 'invalid_token') && !refreshed) {
              refreshed = true;
              continue;
            }
            throw new StrongroomError(
              stepUp !== undefined ? 'insufficient_authentication' : 'denied',
              `The broker refused ${method} ${path} (${error.cause[0]?.parameters['error'] ?? error.status}).`,
              {
                cause: error,
                hint:
                  stepUp !== undefined
                    ? 'Sign in again with your security key and retry.'
                    : 'Check that you are allowed to do this, or sign in again with `strongroom login`.',
              },
            );
          }
          throw classifyOidcError(error, profile.broker);
        }
        if (response.status === 403) {
          const detail = await brokerErrorDetail(response);
          throw new StrongroomError('denied', `The broker denied ${method} ${path}${detail}.`, {
            hint: 'Ask for access, or check with an administrator.',
          });
        }
        if (!response.ok)
          throw new StrongroomError(
            'broker_error',
            `The broker answered ${response.status} to ${method} ${path}${await brokerErrorDetail(response)}.`,
          );
        return response;
      }
    },
  };
}
