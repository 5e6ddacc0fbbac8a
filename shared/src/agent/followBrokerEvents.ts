import type { BrokerClient } from '../broker-client/createBrokerClient.js';
import { StrongroomError } from '../errors/StrongroomError.js';
import { userEventSchema, type UserEvent } from '../protocol/jitApi.js';
import type { AgentClock } from './AgentClock.js';
import { SseParser } from './SseParser.js';

export interface FollowBrokerEventsOptions {
  readonly broker: BrokerClient;
  readonly clock: AgentClock;
  readonly log: (level: 'debug' | 'info' | 'warn', message: string) => void;
  /** Called for each event in order; the next event waits for it. */
  readonly onEvent: (event: UserEvent) => Promise<void>;
  /** The stream opened (true) or closed (false). On open the agent re-syncs what it may have missed. */
  readonly onConnection: (open: boolean) => void;
  /** Whether the agent may use the session now (signed in, not locked). Checked before each connect. */
  readonly mayConnect: () => boolean;
  /** The broker refused the stream for good (session over, locked): stop until `resume`. */
  readonly onRefused: (error: StrongroomError) => void;
}

export interface BrokerEventFollower {
  /** Connect again now (after sign-in, unlock, network change), skipping any back-off. */
  resume(): void;
  /** Drop the open stream (if any) and connect again: the network changed under it. */
  reconnect(): void;
  stop(): void;
}

/** Errors a retry will not heal: the session or the account is over. */
const REFUSED = new Set(['not_signed_in', 'session_expired', 'token_invalid', 'denied', 'locked']);

/**
 * Follows `GET /api/v1/events` (SSE). Each event's id is remembered, and every reconnect asks for
 * what came after it (`?after=`, the broker's Last-Event-ID), so a dropped stream, a broker restart
 * or the stream's own time limit loses nothing. Unreachable broker: back off 1 s → 30 s.
 */
export function followBrokerEvents(options: FollowBrokerEventsOptions): BrokerEventFollower {
  const { clock, log } = options;
  let stopped = false;
  let last: number | undefined;
  let wake: (() => void) | undefined;
  let cancelRead: (() => void) | undefined;
  let backoffMs = 1_000;

  const pause = (ms: number | undefined): Promise<void> =>
    new Promise((resolve) => {
      const cancel = ms === undefined ? () => undefined : clock.after(ms, () => done());
      function done(): void {
        cancel();
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  const readStream = async (response: Response): Promise<void> => {
    if (response.body === null) return;
    const reader = response.body.getReader();
    cancelRead = () => void reader.cancel().catch(() => undefined);
    if (stopped) cancelRead();
    const parser = new SseParser();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || stopped) return;
        for (const message of parser.push(value)) {
          let body: unknown;
          try {
            body = JSON.parse(message.data);
          } catch {
            log('warn', `Ignored an event that is not JSON (${message.event})`);
            continue;
          }
          const parsed = userEventSchema.safeParse(body);
          if (!parsed.success) {
            log('warn', `Ignored an event of unexpected shape (${message.event})`);
            continue;
          }
          last = parsed.data.id;
          await options.onEvent(parsed.data);
        }
      }
    } finally {
      cancelRead = undefined;
      reader.releaseLock();
    }
  };

  const run = async (): Promise<void> => {
    while (!stopped) {
      if (!options.mayConnect()) {
        await pause(undefined);
        continue;
      }
      try {
        const response = await options.broker.request(
          'GET',
          `/api/v1/events${last === undefined ? '' : `?after=${String(last)}`}`,
        );
        if (stopped) {
          await response.body?.cancel().catch(() => undefined);
          return;
        }
        options.onConnection(true);
        backoffMs = 1_000;
        try {
          await readStream(response);
        } finally {
          options.onConnection(false);
        }
        // The broker ends streams after a while (its token is short-lived): reconnect at once.
        if (!stopped) await pause(250);
      } catch (error) {
        if (stopped) return;
        const failure =
          error instanceof StrongroomError
            ? error
            : new StrongroomError('broker_unreachable', 'The event stream broke.', { cause: error });
        if (REFUSED.has(failure.code)) {
          log('warn', `Event stream refused: ${failure.message}`);
          options.onRefused(failure);
          await pause(undefined);
          continue;
        }
        log('debug', `Event stream down, retrying in ${String(backoffMs)} ms: ${failure.message}`);
        await pause(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 30_000);
      }
    }
  };
  void run();
  return {
    resume() {
      backoffMs = 1_000;
      wake?.();
    },
    reconnect() {
      backoffMs = 1_000;
      cancelRead?.();
      wake?.();
    },
    stop() {
      stopped = true;
      cancelRead?.();
      wake?.();
    },
  };
}
