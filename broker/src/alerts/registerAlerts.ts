import type { FastifyInstance } from 'fastify';
import { DetectorRunner } from '../detectors/DetectorRunner.js';
import type { WebhookTarget } from '../events/deliverWebhook.js';
import type { PolicyBundle } from '../policy/PolicyBundle.js';
import type { Store } from '../store/Store.js';
import type { RelyingParty } from '../webauthn/relyingParty.js';
import type { AlertDeps } from './AlertDeps.js';
import { raiseAlert } from './raiseAlert.js';
import { registerAdminAlertRoutes } from './registerAdminAlertRoutes.js';
import { WebhookOutbox } from './WebhookOutbox.js';

export interface AlertSettings {
  /** Attempts per webhook delivery before it becomes a dead letter (default 6). */
  webhookAttempts?: number;
  /** First retry after this, doubling each time (default 1000 ms, at most 1 h). */
  webhookBackoffMs?: number;
  /** How often the detectors read the log for new records (default 200 ms). */
  detectorPollMs?: number;
  /** How often due webhook deliveries are looked for (default 1000 ms). */
  outboxPollMs?: number;
}

export interface RegisterAlertsOptions extends AlertSettings {
  store: Store;
  rp: RelyingParty;
  now: () => number;
  bundle: () => PolicyBundle;
  webhooks: readonly WebhookTarget[];
  eventsCommitted: () => void;
  fetch?: typeof fetch;
  log?: (message: string) => void;
}

/**
 * Detectors, alerts, locks and alert delivery inside the authenticated `/api/v1` plugin: starts
 * the detector runner (tails the audit log) and the webhook outbox, registers the admin routes,
 * and stops both when the server closes.
 */
export async function registerAlerts(api: FastifyInstance, opts: RegisterAlertsOptions): Promise<AlertDeps> {
  const outbox = new WebhookOutbox({
    store: opts.store,
    now: opts.now,
    fetch: opts.fetch ?? fetch,
    targets: opts.webhooks,
    attempts: opts.webhookAttempts ?? 6,
    backoffMs: opts.webhookBackoffMs ?? 1000,
    pollMs: opts.outboxPollMs ?? 1000,
  });
  const runner = new DetectorRunner({
    store: opts.store,
    now: opts.now,
    bundle: opts.bundle,
    pollMs: opts.detectorPollMs ?? 200,
    act: async (finding) => {
      const raised = await raiseAlert({ store: opts.store, now: opts.now, webhooks: opts.webhooks }, finding);
      if (raised === undefined) return;
      opts.eventsCommitted();
      if (raised.webhooks > 0) outbox.kick();
    },
    onError: (error) => opts.log?.(`detectors: ${error instanceof Error ? error.message : String(error)}`),
  });
  const deps: AlertDeps = {
    store: opts.store,
    rp: opts.rp,
    now: opts.now,
    eventsCommitted: opts.eventsCommitted,
    runner,
    outbox,
  };
  registerAdminAlertRoutes(api, deps);
  await runner.start();
  outbox.start();
  api.addHook('onClose', async () => {
    await runner.close();
    await outbox.close();
  });
  return deps;
}
