import Provider, { type AdapterConstructor, type AdapterFactory, type Configuration } from 'oidc-provider';
import type { BrokerConfig } from '../config/brokerConfigSchema.js';
import type { BrokerSecrets } from '../keys/loadSecrets.js';
import type { SigningKeySet } from '../keys/loadSigningKeys.js';
import { NodeSigningKey } from '../keys/NodeSigningKey.js';
import type { Store } from '../store/Store.js';
import { HARDWARE_KEY_ACR } from './acr.js';
import { acrPolicy } from './acrPolicy.js';
import { announceSessionEnd } from './announceSessionEnd.js';
import { auditProviderActivity } from './auditProviderActivity.js';
import { makeFindAccount } from './findAccount.js';
import { loadFirstPartyGrant } from './loadFirstPartyGrant.js';
import { oauthStyleFallback } from './oauthStyleFallback.js';
import { PROVIDER_ROUTES } from './providerRoutes.js';
import { registerRefreshGrantWithCachedDpopKeys } from './refreshGrantWithCachedDpopKeys.js';
import { rejectStaleDpopIat } from './rejectStaleDpopIat.js';
import { renderProviderError } from './renderProviderError.js';
import { logoutSource, postLogoutSuccessSource } from './logoutPages.js';
import { requestTransaction } from './requestTransaction.js';
import { makeSessionLifetime } from './sessionLifetime.js';
import { strongroomCliClient } from './strongroomCliClient.js';
import { parseApiOptions } from '../api/apiOptions.js';
import { registerTokenExchange, type TokenExchangeOptions } from '../credentials/registerTokenExchange.js';

export interface CreateProviderOptions {
  config: BrokerConfig;
  store: Store;
  /** Builds the oidc-provider adapter (broker/src/store/oidcAdapter.ts) on the store it is given. */
  makeAdapter: (store: Store) => AdapterConstructor | AdapterFactory;
  jwks: SigningKeySet;
  secrets: BrokerSecrets;
  now: () => number;
  /** RFC 8693 token exchange for service tokens (credentials/exchangeToken.ts). */
  tokenExchange: TokenExchangeOptions;
}

/**
 * The OpenID Provider (oidc-provider 9). Security choices, each with its reason:
 * - authorization code only, PKCE required for every client (oidc-provider 9 supports only S256,
 *   so `plain` is refused; RFC 9700 §2.1.1);
 * - DPoP (RFC 9449) required for the public native client via `dpop_bound_access_tokens`, with
 *   server nonces (§8) so a proof cannot be pre-computed, and replay detection of `jti` (§11.1);
 * - refresh tokens rotate on every use; oidc-provider revokes the whole grant when a rotated token
 *   is presented again (RFC 9700 §4.14.2) and we also end the browser session and audit it;
 * - short access tokens and one absolute session lifetime counted from the key touch;
 * - device flow, dynamic registration and dev interactions off (phishable or not needed).
 */
export function createProvider(opts: CreateProviderOptions): Provider {
  const { config, now } = opts;
  const tokenTransaction = requestTransaction(
    opts.store,
    (method, path) =>
      method === 'POST' && (path === PROVIDER_ROUTES.token || path === PROVIDER_ROUTES.revocation),
  );
  // Everything oidc-provider reaches goes through this store, so token requests use their transaction.
  const store = tokenTransaction.store;
  const lifetime = makeSessionLifetime({
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    sessionTtlSeconds: config.sessionTtlSeconds,
    now,
  });
  const configuration: Configuration = {
    adapter: opts.makeAdapter(store),
    clients: [strongroomCliClient()],
    // KeyObjects made once: ID tokens are signed with node:crypto, not re-imported per token.
    jwks: { keys: opts.jwks.keys.map((k) => new NodeSigningKey(k)) },
    findAccount: makeFindAccount(store, lifetime.sessionEnd),
    routes: PROVIDER_ROUTES,
    responseTypes: ['code'],
    scopes: ['openid', 'offline_access', 'email', 'profile', 'roles'],
    claims: {
      acr: null,
      amr: null,
      auth_time: null,
      sid: null,
      // acr and amr in every ID token: clients must be able to check how the person signed in;
      // session_exp (findAccount.ts): when the absolute session lifetime ends, in epoch seconds.
      openid: ['sub', 'acr', 'amr', 'auth_time', 'session_exp'],
      email: ['email', 'email_verified'],
      profile: ['name'],
      roles: ['roles'],
    },
    acrValues: [HARDWARE_KEY_ACR],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      // For NodeSigningKey; the ack makes an oidc-provider update that changes the experiment fail at start.
      externalSigningSupport: { enabled: true, ack: 'experimental-01' },
      deviceFlow: { enabled: false },
      registration: { enabled: false },
      revocation: { enabled: true },
      introspection: { enabled: false },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      dPoP: {
        enabled: true,
        nonceSecret: Buffer.from(opts.secrets.dpopNonceSecret, 'hex'),
        requireNonce: () => true,
        allowReplay: false,
      },
    },
    clientBasedCORS: () => false,
    rotateRefreshToken: true,
    // Refresh tokens for our first-party client without the `offline_access` consent dance; they
    // still die with the session (expiresWithSession) and at the absolute lifetime.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    expiresWithSession: () => true,
    loadExistingGrant: loadFirstPartyGrant,
    ttl: {
      AccessToken: (ctx) => lifetime.accessToken(ctx),
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      RefreshToken: (ctx) => lifetime.refreshToken(ctx),
      Grant: config.sessionTtlSeconds,
      Session: (_ctx, session) => lifetime.session(session.loginTs),
    },
    cookies: {
      keys: opts.secrets.cookieKeys,
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
      policy: acrPolicy(),
    },
    renderError: renderProviderError,
  };
  const provider = new Provider(config.issuer, configuration);
  // The built-in refresh grant, with DPoP proof keys remembered per client key (the hot path).
  registerRefreshGrantWithCachedDpopKeys(provider);
  registerTokenExchange(provider, {
    store,
    issuer: config.issuer,
    jwks: opts.jwks,
    apiOptions: parseApiOptions(config.devices),
    now,
    options: opts.tokenExchange,
  });
  provider.use(oauthStyleFallback());
  provider.use(rejectStaleDpopIat(now));
  provider.use(tokenTransaction.middleware);
  provider.use(auditProviderActivity(store, now));
  provider.use(announceSessionEnd((ctx) => lifetime.refreshToken(ctx)));
  return provider;
}
