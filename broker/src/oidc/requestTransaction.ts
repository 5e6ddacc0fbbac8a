import { AsyncLocalStorage } from 'node:async_hooks';
import type Provider from 'oidc-provider';
import type { Store, StoreOps } from '../store/Store.js';

type ProviderMiddleware = Parameters<Provider['use']>[0];

export interface RequestTransaction {
  /** The store to hand to everything oidc-provider calls: inside a wrapped request it is the request's transaction. */
  store: Store;
  /** Koa middleware that runs a matching request inside one store transaction. */
  middleware: ProviderMiddleware;
}

/**
 * Runs each token-endpoint request (issue, refresh, revoke) in one store transaction: the rotated
 * refresh token, the new tokens, the DPoP replay record and the audit record commit together or not
 * at all (ARCHITECTURE.md: "appended in the same transaction as the change it records"), and the
 * request pays for one durable commit instead of one per write.
 */
export function requestTransaction(
  store: Store,
  wraps: (method: string, path: string) => boolean,
): RequestTransaction {
  const current = new AsyncLocalStorage<StoreOps>();
  const scoped = new Proxy(store, {
    get(target, prop, receiver) {
      const tx = current.getStore();
      const source: object = tx && prop in tx ? tx : target;
      const value: unknown = Reflect.get(source, prop, source === target ? receiver : source);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(source) : value;
    },
  });
  const middleware: ProviderMiddleware = async (ctx, next) => {
    if (!wraps(ctx.method, ctx.path)) {
      await next();
      return;
    }
    try {
      await store.transaction((tx) => current.run(tx, () => next()));
    } catch (cause) {
      // Nothing was committed: the client must not see tokens whose records were rolled back.
      ctx.app.emit('error', cause, ctx);
      ctx.status = 500;
      ctx.set('cache-control', 'no-store');
      ctx.remove('dpop-nonce');
      ctx.body = {
        error: 'server_error',
        error_description: 'the change could not be recorded; nothing was issued',
      };
    }
  };
  return { store: scoped, middleware };
}
