import { randomUUID } from 'node:crypto';
import { apiAuditEvent } from '../api/apiAuditEvent.js';
import { postWebhook, type WebhookTarget } from '../events/deliverWebhook.js';
import { CoalescedTask } from './CoalescedTask.js';
import type { WebhookDeliveryRecord } from '../store/alertRecords.js';
import type { Store, StoreOps } from '../store/Store.js';

export interface WebhookOutboxOptions {
  store: Store;
  now: () => number;
  fetch: typeof fetch;
  targets: readonly WebhookTarget[];
  /** Attempts before a delivery becomes a dead letter. */
  attempts: number;
  /** Wait before attempt n+1: backoffMs × 2^(n-1), capped at maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs?: number;
  /** How often due deliveries are looked for (also after a restart, and for other instances' rows). */
  pollMs?: number;
}

/** A Slack-compatible message: `text` for every receiver, `blocks` for Slack's richer layout. */
export interface WebhookMessage {
  event: string;
  text: string;
  blocks?: unknown[];
  data: Record<string, unknown>;
}

/** How long one attempt holds a claimed delivery before another instance may take it over. */
const LEASE_MS = 30_000;

/**
 * Puts one delivery per configured webhook in the store, in the caller's transaction (outbox):
 * the alert and its notifications commit together, and nothing is lost to a crash or restart.
 */
export async function enqueueWebhookMessage(
  tx: Pick<StoreOps, 'enqueueWebhookDelivery'>,
  targets: readonly WebhookTarget[],
  message: WebhookMessage,
  now: number,
  alertId: string | null,
): Promise<number> {
  const body = JSON.stringify({
    text: message.text,
    ...(message.blocks === undefined ? {} : { blocks: message.blocks }),
    event: message.event,
    data: message.data,
  });
  for (const target of targets) {
    const delivery: WebhookDeliveryRecord = {
      id: randomUUID(),
      url: target.url,
      event: message.event,
      body,
      alertId,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      lastStatus: null,
      lastError: null,
      createdAt: now,
      updatedAt: now,
    };
    await tx.enqueueWebhookDelivery(delivery);
  }
  return targets.length;
}

/**
 * Delivers the stored webhook messages: each due delivery is claimed (one instance wins), POSTed
 * signed (postWebhook: HMAC-SHA256 over timestamp and body), and its outcome recorded. A network
 * error, 5xx or 429 schedules the next attempt with exponential backoff in the store, so retries
 * survive a restart; after the last attempt, or on an answer that retrying cannot change (another
 * 4xx), it becomes a dead letter that admins see (GET /api/v1/admin/dead-letters). Final outcomes
 * are audited (webhook.deliver, OCSF API Activity 6003), with only the receiver's origin.
 */
export class WebhookOutbox {
  readonly #o: WebhookOutboxOptions;
  readonly #targets: Map<string, WebhookTarget>;
  readonly #pass = new CoalescedTask(() => this.#drain());
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: WebhookOutboxOptions) {
    this.#o = options;
    this.#targets = new Map(options.targets.map((t) => [t.url, t]));
  }

  start(): void {
    this.#timer = setInterval(() => this.kick(), this.#o.pollMs ?? 1000);
    this.#timer.unref();
    this.kick();
  }

  /** Looks for due deliveries now (after an alert committed). */
  kick(): void {
    this.#pass.kick();
  }

  /** Resolves once the pass in flight (if any) has finished. */
  idle(): Promise<void> {
    return this.#pass.idle();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#pass.stop();
  }

  async #drain(): Promise<void> {
    try {
      for (;;) {
        const due = await this.#o.store.listDueWebhookDeliveries(this.#o.now(), 20);
        if (due.length === 0 || this.#closed) return;
        await Promise.all(due.map((d) => this.#attempt(d)));
      }
    } catch {
      // The store is unavailable: the next poll tries again; nothing was lost.
    }
  }

  async #attempt(d: WebhookDeliveryRecord): Promise<void> {
    const { store, now } = this.#o;
    const at = now();
    if (!(await store.claimWebhookDelivery(d.id, d.attempts, at, at + LEASE_MS))) return;
    const target = this.#targets.get(d.url);
    const answer = target
      ? await postWebhook(this.#o, target, d.event, d.body)
      : { ok: false, status: 0, error: 'webhook no longer configured', retryable: false };
    const attempts = d.attempts + 1;
    const done = answer.ok || !answer.retryable || attempts >= this.#o.attempts;
    const wait = Math.min(this.#o.backoffMs * 2 ** (attempts - 1), this.#o.maxBackoffMs ?? 3_600_000);
    const status = answer.ok ? 'delivered' : done ? 'dead' : 'pending';
    await store.recordWebhookAttempt(d.id, {
      status,
      attempts,
      nextAttemptAt: done ? now() : now() + wait,
      lastStatus: answer.status === 0 ? null : answer.status,
      lastError: answer.ok ? null : answer.error,
      at: now(),
    });
    if (!done) return;
    await store
      .appendAudit(
        apiAuditEvent('api', {
          name: 'webhook.deliver',
          outcome: answer.ok ? 'success' : 'failure',
          actor: { kind: 'broker' },
          time: now(),
          method: 'POST',
          data: {
            event: d.event,
            deliveryId: d.id,
            destination: new URL(d.url).origin,
            attempts,
            status: answer.status,
            ...(d.alertId === null ? {} : { alertId: d.alertId }),
            ...(answer.ok ? {} : { error: answer.error, deadLetter: true }),
          },
        }),
      )
      .catch(() => undefined);
  }
}
