// Types for the parts of oidc-provider 9 the token endpoint's hot path uses that are not the
// package's typed API (the package has no `exports` map, so these paths resolve): what
// refreshGrantWithCachedDpopKeys.ts re-registers the built-in refresh_token grant with, and the
// provider's request-context storage (requestTransaction.ts). Only what those modules read is declared.
declare module 'oidc-provider/lib/actions/grants/refresh_token.js' {
  import type Provider from 'oidc-provider';
  import type { KoaContextWithOIDC } from 'oidc-provider';

  /** The grant's handler; initialize_app.js binds it to (provider, grant helpers). */
  export function handler(
    provider: Provider,
    helpers: Record<string, unknown>,
    ctx: KoaContextWithOIDC,
  ): Promise<void>;
  /** The grant's own request parameters (besides grant_type). */
  export const parameters: Set<string>;
}

declare module 'oidc-provider/lib/helpers/grants.js' {
  /** Each takes the provider first; initialize_app.js binds them to it. */
  const helpers: Record<string, (...args: unknown[]) => unknown>;
  export = helpers;
}

declare module 'oidc-provider/lib/helpers/challenge.js' {
  /** Seconds a DPoP proof without a nonce may be away from now; also the jti replay record's lifetime. */
  export const CHALLENGE_OK_WINDOW: number;
}

declare module 'oidc-provider/lib/helpers/weak_cache.js' {
  import type Provider from 'oidc-provider';

  interface ProviderInternals {
    configuration: {
      features: {
        dPoP: { enabled: boolean; requireNonce: (ctx: unknown) => unknown; allowReplay: boolean };
        resourceIndicators: { enabled: boolean };
        richAuthorizationRequests: { enabled: boolean };
      };
      dPoPSigningAlgValues: string[];
    };
    features: { dPoP: { allowReplay: boolean } };
    DPoPNonces?: { nextChallenge(): string; checkChallenge(nonce: string): boolean };
  }
  /** The provider's internal state (configuration, DPoP nonces). */
  const instance: (provider: Provider) => ProviderInternals;
  export { instance as default };
}

declare module 'oidc-provider/lib/helpers/als.js' {
  import type { AsyncLocalStorage } from 'node:async_hooks';

  /** The request context oidc-provider runs each routed request in (`Provider.ctx` reads it). */
  const als: AsyncLocalStorage<object>;
  export { als as default };
}
