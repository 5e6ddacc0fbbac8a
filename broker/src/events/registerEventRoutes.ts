import type { UserEvent } from '@strongroom/shared/protocol/jitApi.js';
import type { FastifyInstance } from 'fastify';
import { apiCallerOf } from '../api/auth/ApiCaller.js';
import { BrokerError } from '../errors/BrokerError.js';
import type { Store } from '../store/Store.js';
import type { EventHub } from './EventHub.js';

export interface EventRouteDeps {
  store: Store;
  hub: EventHub;
  /** Re-read from the store this often even without a signal (other broker instances). */
  pollMs: number;
  /** A stream ends after this; the client reconnects with a fresh token and Last-Event-ID. */
  maxStreamMs: number;
}

const BATCH = 100;

function cursorOf(header: unknown, query: unknown): number {
  const raw = typeof header === 'string' ? header : (query as { after?: unknown } | undefined)?.after;
  if (raw === undefined) return -1;
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw))
    throw new BrokerError('invalid_request', 'Last-Event-ID must be an event id');
  return Number(raw);
}

/**
 * `GET /api/v1/events`: the caller's events as Server-Sent Events (WHATWG HTML §9.2). Each event's
 * `id` is its store id, so a client reconnecting with `Last-Event-ID` gets exactly what it missed
 * (the store keeps them; nothing lives only in memory). Without `Last-Event-ID` the stream starts
 * at the newest event. The stream ends when the account is no longer active or after
 * `maxStreamMs` (the access token that opened it is short-lived); a lock ends it right after
 * the events committed with the lock (`session.revoked`) have been written.
 */
export function registerEventRoutes(api: FastifyInstance, deps: EventRouteDeps): void {
  const open = new Set<() => void>();
  // Before the server stops accepting: open streams would otherwise hold its close forever.
  api.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });
  api.get('/events', async (request, reply) => {
    const caller = apiCallerOf(request);
    let cursor = cursorOf(request.headers['last-event-id'], request.query);
    if (cursor < 0) cursor = await deps.store.lastUserEventId();
    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      connection: 'keep-alive',
    });
    out.write('retry: 1000\n\n');
    let closed = false;
    let running = false;
    let again = false;
    const pump = async (): Promise<void> => {
      if (closed) return;
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        do {
          again = false;
          // Read the account's state first and end only after writing what was committed up to
          // now: a lock's `session.revoked` (committed with it) must reach the client that is wiped.
          const user = await deps.store.getUser(caller.user.id);
          const device = caller.device && (await deps.store.getDevice(caller.device.id));
          const cutOff =
            !user ||
            user.status !== 'active' ||
            device?.status === 'locked' ||
            device?.status === 'removed' ||
            device?.status === 'replaced';
          const events = await deps.store.listUserEvents(caller.user.id, cursor, BATCH);
          for (const e of events) {
            const body: UserEvent = { id: e.id, type: e.type, time: e.createdAt, data: e.data };
            out.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(body)}\n\n`);
            cursor = e.id;
          }
          if (cutOff) return end();
          if (events.length === BATCH) again = true;
        } while (again && !closed);
      } catch {
        end();
      } finally {
        running = false;
      }
    };
    const unsubscribe = deps.hub.subscribe(() => void pump());
    const poll = setInterval(() => {
      if (!closed) out.write(': keep-alive\n\n');
      void pump();
    }, deps.pollMs);
    const limit = setTimeout(() => end(), deps.maxStreamMs);
    open.add(end);
    function end(): void {
      if (closed) return;
      closed = true;
      open.delete(end);
      unsubscribe();
      clearInterval(poll);
      clearTimeout(limit);
      out.end();
    }
    request.raw.on('close', end);
    await pump();
  });
}
