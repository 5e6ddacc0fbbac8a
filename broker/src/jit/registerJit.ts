import type { FastifyInstance } from 'fastify';
import { createDeviceContextLookup } from '../api/posture/deviceContextFor.js';
import { parseApiOptions, type ApiOptions } from '../api/apiOptions.js';
import { registerAuthzRoutes } from '../authz/registerAuthzRoutes.js';
import { deliverWebhook } from '../events/deliverWebhook.js';
import { EventHub } from '../events/EventHub.js';
import { registerEventRoutes } from '../events/registerEventRoutes.js';
import { defaultPolicyBundleDir } from '../policy/defaultPolicyBundleDir.js';
import { PolicyEngine } from '../policy/PolicyEngine.js';
import type { Store } from '../store/Store.js';
import { relyingPartyFor } from '../webauthn/relyingParty.js';
import type { JitDeps } from './JitDeps.js';
import { parseJitOptions, type JitOptionsInput } from './jitOptions.js';
import { registerJitRoutes } from './registerJitRoutes.js';
import { sweepJit } from './sweepJit.js';

export interface RegisterJitOptions {
  store: Store;
  issuer: string;
  now: () => number;
  /** Defaults to the API's defaults (apiOptions.ts). */
  apiOptions?: Pick<ApiOptions, 'postureMaxAgeSeconds'>;
  /** The engine in force; by default the bundle in `policyDir`, by default the shipped bundle. */
  policy?: PolicyEngine;
  policyDir?: string;
  jit?: JitOptionsInput;
  /** Stream settings (tests shorten them). */
  events?: { pollMs?: number; maxStreamMs?: number };
}

/**
 * Policy decisions, JIT elevation and the event stream inside the authenticated `/api/v1` plugin
 * (registerApi calls this), plus the sweeper over stored times. Returns the deps so the server can
 * reload the policy (SIGHUP: reloadPolicy) and tests can drive the sweeper.
 */
export async function registerJit(api: FastifyInstance, opts: RegisterJitOptions): Promise<JitDeps> {
  const policyDir = opts.policyDir ?? defaultPolicyBundleDir();
  const hub = new EventHub();
  const options = parseJitOptions(opts.jit);
  const pending = new Set<Promise<unknown>>();
  const deps: JitDeps = {
    store: opts.store,
    policy: opts.policy ?? (await PolicyEngine.start(policyDir)),
    policyDir,
    devices: createDeviceContextLookup({
      store: opts.store,
      now: opts.now,
      options: opts.apiOptions ?? parseApiOptions(),
    }),
    rp: relyingPartyFor(opts.issuer),
    now: opts.now,
    options,
    eventsCommitted: () => {
      hub.notify();
      // Other instances on the same PostgreSQL wake their streams too (LISTEN/NOTIFY).
      opts.store.signalCommitted('user_events').catch(() => undefined);
    },
    webhook: (message) => {
      for (const target of options.webhooks) {
        const delivery = deliverWebhook(
          {
            store: opts.store,
            now: opts.now,
            fetch,
            sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
            backoffMs: options.webhookBackoffMs,
            attempts: options.webhookAttempts,
          },
          target,
          message,
        ).finally(() => pending.delete(delivery));
        pending.add(delivery);
      }
    },
  };
  registerAuthzRoutes(api, deps);
  registerJitRoutes(api, deps);
  registerEventRoutes(api, {
    store: opts.store,
    hub,
    pollMs: opts.events?.pollMs ?? 2000,
    maxStreamMs: opts.events?.maxStreamMs ?? 10 * 60_000,
  });
  const stopListening = await opts.store.onCommitted('user_events', () => hub.notify());
  const sweeper = setInterval(
    () => void sweepJit(deps).catch(() => undefined),
    deps.options.sweepIntervalSeconds * 1000,
  );
  sweeper.unref();
  api.addHook('onClose', async () => {
    clearInterval(sweeper);
    await stopListening();
    await Promise.allSettled([...pending]); // deliveries in flight finish and are audited
  });
  return deps;
}
