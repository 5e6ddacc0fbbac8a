import { createHmac } from 'node:crypto';
import { apiAuditEvent } from '../api/apiAuditEvent.js';
import type { Store } from '../store/Store.js';

export interface WebhookTarget {
  url: string;
  /** Shared secret of the HMAC-SHA256 signature (at least 32 characters). */
  secret: string;
}

export interface WebhookDeliveryDeps {
  store: Pick<Store, 'appendAudit'>;
  now: () => number;
  fetch: typeof fetch;
  /** Waits between attempts: base, 2×base, 4×base… (exponential backoff). */
  sleep: (ms: number) => Promise<void>;
  backoffMs: number;
  attempts: number;
}

/**
 * The signature header value: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. The
 * timestamp is signed with the body so a receiver can refuse replays of old deliveries (the same
 * construction Slack and Stripe use).
 */
export function webhookSignature(secret: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

/** One attempt's answer: `retryable` for network errors, 5xx and 429 (anything else will not improve). */
export interface WebhookAnswer {
  ok: boolean;
  status: number;
  error: string;
  retryable: boolean;
}

/** One signed POST of `body` (`X-Strongroom-Signature`, signed with the current time), no retry. */
export async function postWebhook(
  deps: Pick<WebhookDeliveryDeps, 'fetch' | 'now'>,
  target: WebhookTarget,
  event: string,
  body: string,
): Promise<WebhookAnswer> {
  try {
    const response = await deps.fetch(target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-strongroom-signature': webhookSignature(target.secret, Math.floor(deps.now() / 1000), body),
        'x-strongroom-event': event,
      },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(10_000),
    });
    await response.body?.cancel();
    const status = response.status;
    if (response.ok) return { ok: true, status, error: '', retryable: false };
    return { ok: false, status, error: `HTTP ${status}`, retryable: status >= 500 || status === 429 };
  } catch (cause) {
    return { ok: false, status: 0, error: cause instanceof Error ? cause.name : 'error', retryable: true };
  }
}

/**
 * Delivers one Slack-compatible JSON message (`{ text, blocks? }` plus Strongroom's own fields) to
 * one webhook, signed in `X-Strongroom-Signature`, retrying network errors and 5xx/429 answers with
 * exponential backoff. The final outcome is audited (OCSF API Activity 6003), never the secret.
 */
export async function deliverWebhook(
  deps: WebhookDeliveryDeps,
  target: WebhookTarget,
  message: { event: string; text: string; data: Record<string, unknown> },
): Promise<boolean> {
  const body = JSON.stringify({ text: message.text, event: message.event, data: message.data });
  let status = 0;
  let attempt = 0;
  let error = '';
  for (; attempt < deps.attempts; attempt++) {
    if (attempt > 0) await deps.sleep(deps.backoffMs * 2 ** (attempt - 1));
    const answer = await postWebhook(deps, target, message.event, body);
    status = answer.status;
    error = answer.error;
    if (answer.ok || !answer.retryable) break;
  }
  const ok = status >= 200 && status < 300;
  const url = new URL(target.url);
  await deps.store
    .appendAudit(
      apiAuditEvent('api', {
        name: 'webhook.deliver',
        outcome: ok ? 'success' : 'failure',
        actor: { kind: 'broker' },
        time: deps.now(),
        method: 'POST',
        data: {
          event: message.event,
          // Only the origin: Slack-style webhook URLs carry their secret in the path.
          destination: url.origin,
          attempts: Math.min(attempt + 1, deps.attempts),
          status,
          ...(ok ? {} : { error }),
          ...(typeof message.data['requestId'] === 'string' ? { requestId: message.data['requestId'] } : {}),
        },
      }),
    )
    .catch(() => undefined);
  return ok;
}
