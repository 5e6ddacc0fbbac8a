import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';
import { BrokerError } from '../errors/BrokerError.js';
import type { Store } from '../store/Store.js';
import type { ApiDeps } from './ApiDeps.js';
import { apiAuditEvent } from './apiAuditEvent.js';
import { parseApiOptions, type ApiOptionsInput } from './apiOptions.js';
import { apiErrorHandler } from './auth/apiErrorHandler.js';
import { authenticateApiRequest } from './auth/authenticateApiRequest.js';
import { registerClientEventRoutes } from './client-events/registerClientEventRoutes.js';
import { registerDeviceRoutes } from './devices/registerDeviceRoutes.js';
import { registerPostureRoutes } from './posture/registerPostureRoutes.js';

export interface RegisterApiOptions {
  store: Store;
  provider: Provider;
  /** The broker's issuer URL; its origin is what DPoP proofs must name in `htu`. */
  issuer: string;
  now?: () => number;
  /** See apiOptions.ts (`requireAdminApprovalForReenrollment`, windows and lifetimes). */
  options?: ApiOptionsInput;
  /**
   * More `/api/v1` routes (JIT, authorization, events), registered inside the authenticated
   * context after the device routes: each gets the same DPoP authentication, `apiCallerOf(request)`,
   * the RFC 6750 error handler and `no-store`. Paths are relative to `/api/v1`.
   */
  routes?: ReadonlyArray<(api: FastifyInstance) => void | Promise<void>>;
  /** Wakes the event stream after a route committed user events (the JIT event hub). */
  eventsCommitted?: () => void;
}

const SWEEP_INTERVAL_MS = 5 * 60_000;

/**
 * The broker's `/api/v1`: every route needs a DPoP-bound access token from the broker's own
 * OpenID Provider (authenticateApiRequest), checked in `onRequest`, before any body is read.
 * Refused authentications with credentials are audited (OCSF API Activity 6003, failure).
 */
export async function registerApi(app: FastifyInstance, opts: RegisterApiOptions): Promise<ApiDeps> {
  const deps: ApiDeps = {
    store: opts.store,
    provider: opts.provider,
    origin: new URL(opts.issuer).origin,
    now: opts.now ?? Date.now,
    options: parseApiOptions(opts.options),
    ...(opts.eventsCommitted === undefined ? {} : { eventsCommitted: opts.eventsCommitted }),
  };
  await app.register(
    async (api) => {
      api.setErrorHandler(apiErrorHandler);
      api.addHook('onRequest', async (request, reply) => {
        void reply.header('cache-control', 'no-store');
        try {
          await authenticateApiRequest(deps, request);
        } catch (error) {
          if (error instanceof BrokerError && error.code !== 'unauthorized' && error.status === 401) {
            await deps.store.appendAudit(
              apiAuditEvent('api', {
                name: 'api.auth',
                outcome: 'failure',
                actor: { kind: 'anonymous' },
                time: deps.now(),
                srcIp: request.ip,
                method: request.method,
                data: { path: request.url.split('?', 1)[0] ?? '', error: error.code, reason: error.message },
              }),
            );
          }
          throw error;
        }
      });
      registerDeviceRoutes(api, deps);
      registerPostureRoutes(api, deps);
      registerClientEventRoutes(api, deps);
      for (const register of opts.routes ?? []) await register(api);
    },
    { prefix: '/api/v1' },
  );
  // Expired nonces and proof jtis are only clutter (expiry is checked on use); swept now and then.
  const sweeper = setInterval(() => {
    deps.store.sweepDeviceState(deps.now()).catch(() => undefined);
  }, SWEEP_INTERVAL_MS);
  sweeper.unref();
  app.addHook('onClose', async () => clearInterval(sweeper));
  return deps;
}
