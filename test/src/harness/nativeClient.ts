import * as oidc from 'openid-client';

export const BROKER_ACR = 'urn:strongroom:acr:hwk';
export const CLI_CLIENT_ID = 'strongroom-cli';

export interface NativeClient {
  config: oidc.Configuration;
  dpopKey: oidc.CryptoKeyPair;
  dpop: oidc.DPoPHandle;
  /** Builds an authorization URL (PKCE S256, state, nonce, acr_values) and how to finish it. */
  begin(redirectUri: string, params?: Record<string, string>): Promise<PendingLogin>;
  refresh(refreshToken: string): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers>;
  userinfo(accessToken: string, sub: string): Promise<oidc.UserInfoResponse>;
}

export interface PendingLogin {
  url: URL;
  codeVerifier: string;
  state: string;
  nonce: string;
  /** Exchanges the code from the callback URL (with DPoP) and checks state, nonce and the ID token. */
  finish(callback: URL): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers>;
}

/**
 * The relying party the CLI will be: openid-client 6 as a public native client with DPoP
 * (RFC 9449). Plain HTTP is allowed only because the test broker is on loopback.
 */
export async function nativeClient(issuer: string): Promise<NativeClient> {
  const config = await oidc.discovery(new URL(issuer), CLI_CLIENT_ID, undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
  const dpopKey = await oidc.randomDPoPKeyPair('ES256');
  const dpop = oidc.getDPoPHandle(config, dpopKey);
  return {
    config,
    dpopKey,
    dpop,
    async begin(redirectUri, params = {}) {
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid email profile roles offline_access',
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        acr_values: BROKER_ACR,
        ...params,
      });
      return {
        url,
        codeVerifier,
        state,
        nonce,
        finish: (callback) =>
          oidc.authorizationCodeGrant(
            config,
            callback,
            {
              pkceCodeVerifier: codeVerifier,
              expectedState: state,
              expectedNonce: nonce,
              idTokenExpected: true,
            },
            undefined,
            { DPoP: dpop },
          ),
      };
    },
    refresh: (refreshToken) => oidc.refreshTokenGrant(config, refreshToken, undefined, { DPoP: dpop }),
    userinfo: (accessToken, sub) => oidc.fetchUserInfo(config, accessToken, sub, { DPoP: dpop }),
  };
}
