import {
  CLIENT_AUDIT_MAX_EVENTS,
  type ClientAuditEvent,
  type TerminalRefusalReason,
} from '../protocol/clientAuditApi.js';

type Reported = Exclude<ClientAuditEvent, { kind: 'terminal-token.refused' }>;

export interface ClientAuditReporterOptions {
  /** Sends one batch (at most CLIENT_AUDIT_MAX_EVENTS) to the broker; rejects when it was not recorded. */
  readonly send: (events: readonly ClientAuditEvent[]) => Promise<void>;
  readonly now: () => number;
  /** Never called with a token. */
  readonly log: (message: string) => void;
  /** At most one report per this many ms (refusals in between become one event with a count); default 5 s. */
  readonly intervalMs?: number;
  /** Tries per event before it is dropped (logged); default 4, each after twice the last wait. */
  readonly maxAttempts?: number;
  /** Events kept while the broker cannot be reached; the oldest go first (logged). Default 500. */
  readonly maxQueued?: number;
}

interface Queued {
  readonly event: ClientAuditEvent;
  attempts: number;
}

/**
 * Reports what the agent's loopback endpoints saw to the broker's audit log
 * (`POST /api/v1/audit/client-events`, clientAuditApi.ts), off the request path: `refused` and
 * `record` only queue and return, a timer (unref'd) sends. Refusals are coalesced per reason and
 * terminal into one event with a count, so a guesser hammering the endpoint costs one report per
 * interval. Failures are logged and retried with backoff a few times, then dropped: auditing must
 * never hold up or break the endpoint. Nothing here ever sees a presented token.
 */
export class ClientAuditReporter {
  readonly #options: Required<Omit<ClientAuditReporterOptions, 'send' | 'now' | 'log'>> &
    ClientAuditReporterOptions;
  readonly #refusals = new Map<
    string,
    { reason: TerminalRefusalReason; terminalId?: string; count: number; firstAt: number; lastAt: number }
  >();
  #queue: Queued[] = [];
  #timer: NodeJS.Timeout | undefined;
  #sending: Promise<void> | undefined;
  #backoff = 1;
  #closed = false;

  constructor(options: ClientAuditReporterOptions) {
    this.#options = { intervalMs: 5_000, maxAttempts: 4, maxQueued: 500, ...options };
  }

  /** A request the endpoint refused (never the token it presented). */
  refused(reason: TerminalRefusalReason, terminalId?: string): void {
    if (this.#closed) return;
    const key = `${reason}\u0000${terminalId ?? ''}`;
    const at = this.#options.now();
    const seen = this.#refusals.get(key);
    if (seen !== undefined) {
      seen.count += 1;
      seen.lastAt = at;
    } else
      this.#refusals.set(key, {
        reason,
        ...(terminalId === undefined ? {} : { terminalId }),
        count: 1,
        firstAt: at,
        lastAt: at,
      });
    this.#schedule();
  }

  record(event: Reported): void {
    if (this.#closed) return;
    this.#enqueue([{ event, attempts: 0 }]);
    this.#schedule();
  }

  /** Sends what is waiting now (the timer's work; also for a test or a clean stop). */
  flush(): Promise<void> {
    this.#sending ??= this.#sendAll().finally(() => {
      this.#sending = undefined;
      if (this.#queue.length > 0 || this.#refusals.size > 0) this.#schedule();
    });
    return this.#sending;
  }

  /** Stops the timer and makes one last attempt to send what is waiting (not retried). */
  close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    return (this.#sending ?? Promise.resolve()).then(() => this.#sendAll());
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#sending !== undefined || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#options.intervalMs * this.#backoff).unref();
  }

  async #sendAll(): Promise<void> {
    for (const r of this.#refusals.values())
      this.#enqueue([{ event: { kind: 'terminal-token.refused', ...r }, attempts: 0 }]);
    this.#refusals.clear();
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, CLIENT_AUDIT_MAX_EVENTS);
      try {
        await this.#options.send(batch.map((q) => q.event));
        this.#backoff = 1;
      } catch (error) {
        const retry = batch.filter((q) => ++q.attempts < this.#options.maxAttempts && !this.#closed);
        const dropped = batch.length - retry.length;
        this.#options.log(
          `client audit: the broker did not take ${batch.length} event(s) (${error instanceof Error ? error.message : String(error)})${dropped > 0 ? `; dropped ${dropped} after ${this.#options.maxAttempts} tries` : '; will retry'}`,
        );
        this.#queue.unshift(...retry);
        this.#backoff = Math.min(this.#backoff * 2, 16);
        return;
      }
    }
  }

  #enqueue(items: Queued[]): void {
    this.#queue.push(...items);
    const over = this.#queue.length - this.#options.maxQueued;
    if (over > 0) {
      this.#queue.splice(0, over);
      this.#options.log(
        `client audit: dropped the ${over} oldest unsent event(s); the broker has not been reachable`,
      );
    }
  }
}
