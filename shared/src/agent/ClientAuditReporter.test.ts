import { describe, expect, it } from 'vitest';
import type { ClientAuditEvent } from '../protocol/clientAuditApi.js';
import { clientAuditRequestSchema } from '../protocol/clientAuditApi.js';
import { ClientAuditReporter, type ClientAuditReporterOptions } from './ClientAuditReporter.js';

/** A broker stand-in that checks each batch with the route's own schema, and can be made to fail. */
function broker() {
  const batches: ClientAuditEvent[][] = [];
  let failures = 0;
  return {
    batches,
    failNext(n: number) {
      failures = n;
    },
    send: (events: readonly ClientAuditEvent[]): Promise<void> => {
      if (failures > 0) {
        failures -= 1;
        return Promise.reject(new Error('broker unreachable'));
      }
      batches.push(clientAuditRequestSchema.parse({ events }).events);
      return Promise.resolve();
    },
  };
}

const issued = (terminalId: string): Extract<ClientAuditEvent, { kind: 'terminal-token.issued' }> => ({
  kind: 'terminal-token.issued',
  terminalId,
  grantId: 'g1',
  role: 'ml-researcher',
  expiresAt: 2_000,
  holder: 'process',
  at: 1_000,
});

/** A reporter to the stand-in that only sends on flush(), its log kept. */
function loggingReporter(options: Pick<ClientAuditReporterOptions, 'maxAttempts' | 'maxQueued'>) {
  const b = broker();
  const logged: string[] = [];
  const r = new ClientAuditReporter({
    send: b.send,
    now: () => 1,
    log: (m) => logged.push(m),
    intervalMs: 60_000,
    ...options,
  });
  return { b, r, logged };
}

describe('ClientAuditReporter', () => {
  it('coalesces refusals per reason and terminal into one event with a count and the first and last time', async () => {
    const b = broker();
    let now = 1_000;
    const r = new ClientAuditReporter({
      send: b.send,
      now: () => now,
      log: () => undefined,
      intervalMs: 60_000,
    });
    for (let i = 0; i < 500; i++) {
      r.refused('unknown-token');
      now += 1;
    }
    r.refused('no-token');
    r.refused('role-not-allowed', 'term1');
    r.refused('role-not-allowed', 'term1');
    r.record(issued('term1'));
    await r.flush();
    expect(b.batches).toHaveLength(1);
    expect(b.batches[0]).toEqual([
      issued('term1'),
      { kind: 'terminal-token.refused', reason: 'unknown-token', count: 500, firstAt: 1_000, lastAt: 1_499 },
      { kind: 'terminal-token.refused', reason: 'no-token', count: 1, firstAt: 1_500, lastAt: 1_500 },
      {
        kind: 'terminal-token.refused',
        reason: 'role-not-allowed',
        terminalId: 'term1',
        count: 2,
        firstAt: 1_500,
        lastAt: 1_500,
      },
    ]);
    await r.close();
  });

  it('sends on its own timer, in batches the route accepts', async () => {
    const b = broker();
    const r = new ClientAuditReporter({ send: b.send, now: () => 1, log: () => undefined, intervalMs: 5 });
    for (let i = 0; i < 120; i++) r.record(issued(`t${String(i)}`));
    while (b.batches.flat().length < 120) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(b.batches.map((x) => x.length)).toEqual([50, 50, 20]);
    await r.close();
  });

  it('retries a failed send a few times, logging each failure, then drops it; never throws to the caller', async () => {
    const { b, r, logged } = loggingReporter({ maxAttempts: 3 });
    r.record(issued('kept'));
    b.failNext(2);
    await r.flush();
    await r.flush();
    expect(b.batches).toEqual([]);
    await r.flush();
    expect(b.batches).toEqual([[issued('kept')]]);
    expect(logged.filter((m) => m.includes('will retry'))).toHaveLength(2);

    r.record(issued('lost'));
    b.failNext(3);
    for (let i = 0; i < 3; i++) await r.flush();
    await r.flush();
    expect(b.batches.flat().map((e) => (e.kind === 'terminal-token.issued' ? e.terminalId : ''))).toEqual([
      'kept',
    ]);
    expect(logged.at(-1)).toMatch(/dropped 1 after 3 tries/);
    await r.close();
  });

  it('keeps a bounded queue while the broker is away, dropping the oldest', async () => {
    const { b, r, logged } = loggingReporter({ maxQueued: 10 });
    for (let i = 0; i < 25; i++) r.record(issued(`t${String(i)}`));
    await r.flush();
    expect(b.batches.flat().map((e) => (e.kind === 'terminal-token.issued' ? e.terminalId : ''))).toEqual(
      Array.from({ length: 10 }, (_, i) => `t${String(i + 15)}`),
    );
    expect(logged.some((m) => m.includes('dropped the'))).toBe(true);
    await r.close();
  });

  it('close sends what is waiting once; nothing is taken after it', async () => {
    const b = broker();
    const r = new ClientAuditReporter({
      send: b.send,
      now: () => 1,
      log: () => undefined,
      intervalMs: 60_000,
    });
    r.refused('no-token');
    await r.close();
    r.refused('no-token');
    r.record(issued('late'));
    await r.flush();
    expect(b.batches).toEqual([
      [{ kind: 'terminal-token.refused', reason: 'no-token', count: 1, firstAt: 1, lastAt: 1 }],
    ]);
  });
});
