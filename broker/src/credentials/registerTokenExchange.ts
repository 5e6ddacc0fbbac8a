import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { createDeviceContextLookup } from '../api/posture/deviceContextFor.js';
import type { ApiOptions } from '../api/apiOptions.js';
import { BrokerError } from '../errors/BrokerError.js';
import type { JitDeps } from '../jit/JitDeps.js';
import type { SigningKeySet } from '../keys/loadSigningKeys.js';
import type { Store } from '../store/Store.js';
import { tokenExchangeHandler } from './exchangeToken.js';
import { grantTokenIssuer } from './grantTokenIssuer.js';
import { TOKEN_EXCHANGE_GRANT, TOKEN_EXCHANGE_PARAMS } from './tokenExchangeParams.js';

export interface TokenExchangeOptions {
  /** The JIT deps (policy engine in force); undefined until the API routes are registered. */
  jit: () => Pick<JitDeps, 'policy' | 'options'> | undefined;
  /** Service token lifetime asked for (default 15 minutes; never past the grant or one hour). */
  lifetimeSeconds?: number;
}

/**
 * Adds the RFC 8693 token-exchange grant type to the provider. `store` must be the provider's
 * request-scoped store (createProvider's requestTransaction): the exchange's reads, ledger entry
 * and audit record belong to the token request's one transaction.
 */
export function registerTokenExchange(
  provider: Provider,
  deps: {
    store: Store;
    issuer: string;
    jwks: SigningKeySet;
    apiOptions: ApiOptions;
    now: () => number;
    options: TokenExchangeOptions;
  },
): void {
  const handler = tokenExchangeHandler({
    provider,
    store: deps.store,
    jit: () => {
      const jit = deps.options.jit();
      if (jit === undefined)
        throw new BrokerError('internal', 'token exchange before the policy engine started');
      return jit;
    },
    devices: createDeviceContextLookup({ store: deps.store, now: deps.now, options: deps.apiOptions }),
    issue: grantTokenIssuer(deps.jwks, deps.issuer),
    now: deps.now,
    lifetimeSeconds: deps.options.lifetimeSeconds ?? 15 * 60,
  });
  provider.registerGrantType(TOKEN_EXCHANGE_GRANT, (ctx) => handler(ctx as KoaContextWithOIDC), [
    ...TOKEN_EXCHANGE_PARAMS,
  ]);
}
