import type Provider from 'oidc-provider';
import providerContext from 'oidc-provider/lib/helpers/als.js';
import { BrokerError } from '../errors/BrokerError.js';
import type { Store, StoreOps } from '../store/Store.js';
import { LazyTransaction } from './LazyTransaction.js';

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
 *
 * The transaction begins at the request's first store call (LazyTransaction), not when the request
 * enters: what oidc-provider does before that (body parsing, client checks, the DPoP proof's
 * signature and nonce, RFC 9449 §4.3) reads and writes no stored state, and the store runs
 * transactions one after another, so keeping that CPU and crypto work out of the transaction lets
 * other requests' transactions run meanwhile. Every read and write of the request is still in it.
 */
export function requestTransaction(
  store: Store,
  wraps: (method: string, path: string) => boolean,
): RequestTransaction {
  // Each wrapped request's transaction, found through the request context oidc-provider already
  // keeps in an AsyncLocalStorage (`Provider.ctx`): a second AsyncLocalStorage of our own would add
  // its propagation to every promise in the process. An entry lives as long as its request context,
  // so a late call from a finished request still reaches its settled transaction and is refused.
  const transactions = new WeakMap<object, LazyTransaction>();
  const scoped = new Proxy(store, {
    get(target, prop, receiver) {
      const ctx = providerContext.getStore();
      const lazy = ctx === undefined ? undefined : transactions.get(ctx);
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (!lazy) return (value as (...args: unknown[]) => unknown).bind(target);
      const call = (tx: StoreOps, args: unknown[]): Promise<unknown> => {
        const method: unknown = Reflect.get(tx, prop, tx);
        // Store-level calls (transaction, readAudit, …) would run outside this request's transaction
        // and could wait for it forever: refused, as the store refuses them inside a transaction.
        if (typeof method !== 'function')
          return Promise.reject(
            new BrokerError('store_failed', `store.${String(prop)} cannot run inside a token request`),
          );
        try {
          return Promise.resolve((method as (...a: unknown[]) => unknown).apply(tx, args));
        } catch (error) {
          return Promise.reject(error);
        }
      };
      return (...args: unknown[]): Promise<unknown> => {
        // Once the transaction has begun, straight in; the first call waits for BEGIN.
        const tx = lazy.ready();
        return tx ? call(tx, args) : lazy.ops().then((ops) => call(ops, args));
      };
    },
  });
  const middleware: ProviderMiddleware = async (ctx, next) => {
    if (!wraps(ctx.method, ctx.path)) {
      await next();
      return;
    }
    const lazy = new LazyTransaction(store);
    transactions.set(ctx, lazy);
    try {
      let outcome: { ok: true } | { ok: false; error: unknown } = { ok: true };
      try {
        // The same context oidc-provider's router enters (initialize_app.js), entered here already so
        // that the middlewares after this one (audit, session end) run in it too.
        await providerContext.run(ctx, () => next());
      } catch (error) {
        outcome = { ok: false, error };
      }
      // Commits (one durable COMMIT, shared with the group) or rolls back before the response goes out.
      await lazy.end(outcome);
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
