import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jitWorld, type JitWorld, type Person } from '../../jit/jitWorld.test-support.js';
import { CallerRateLimiter } from './CallerRateLimiter.js';

// The route through the real broker (createBrokerServer, SQLite, DPoP from the person's device key).
const PATH = '/api/v1/audit/client-events';
let w: JitWorld;
let alice: Person;

const refused = (overrides: Record<string, unknown> = {}) => ({
  kind: 'terminal-token.refused',
  reason: 'unknown-token',
  count: 3,
  firstAt: 1_700_000_000_000,
  lastAt: 1_700_000_004_000,
  ...overrides,
});
const report = (p: Person, body: unknown) => w.call(p, 'POST', PATH, body);
const head = async () => (await w.broker.store.auditHead()).seq;
const clientRecords = async () =>
  (await w.broker.store.readAudit(1, 10_000)).filter((r) => r.activity.startsWith('client.'));

beforeEach(async () => {
  w = await jitWorld();
  alice = await w.person('alice', ['ml-engineers']);
});
afterEach(async () => w.close());

describe('POST /api/v1/audit/client-events', () => {
  it('records each event as a client-reported OCSF record with the caller’s user and device', async () => {
    const terminalId = 'tRmNl-1_abc';
    const res = await report(alice, {
      events: [
        refused(),
        {
          kind: 'terminal-token.issued',
          terminalId,
          grantId: randomUUID(),
          role: 'ml-researcher',
          expiresAt: 1_700_000_600_000,
          holder: 'process',
          at: 1_700_000_000_000,
        },
        { kind: 'terminal-token.revoked', terminalId, reason: 'holder-exited', at: 1_700_000_001_000 },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ recorded: 3 });
    const records = await clientRecords();
    expect(records.map((r) => [r.activity, r.classUid, r.statusId])).toEqual([
      ['client.terminal-token.refused', 6003, 2],
      ['client.terminal-token.issued', 6003, 1],
      ['client.terminal-token.revoked', 6003, 1],
    ]);
    for (const r of records) {
      expect(r.actor).toEqual({
        kind: 'user',
        userId: alice.user.id,
        email: alice.user.email,
        deviceId: alice.deviceId,
      });
      expect(r.data?.['reportedBy']).toBe('client');
      expect(r.time).toBe(w.broker.clock.now); // the broker's clock; the client's times are data
    }
    expect(records[0]?.data).toEqual({
      reportedBy: 'client',
      reason: 'unknown-token',
      count: 3,
      firstAt: 1_700_000_000_000,
      lastAt: 1_700_000_004_000,
    });
    expect(records[2]?.data).toMatchObject({ terminalId, reason: 'holder-exited' });
  });

  it('refuses bad input and records nothing: unknown kinds and fields, bad values, empty, too many, oversized', async () => {
    const bad: unknown[] = [
      {},
      { events: [] },
      { events: [refused()], extra: 1 },
      { events: [{ ...refused(), kind: 'terminal-token.stolen' }] },
      { events: [{ kind: 'credential.issued', terminalId: 'x', at: 1 }] },
      { events: [refused({ token: 'a'.repeat(43) })] }, // no room for a token, even by accident
      { events: [refused({ reason: 'because' })] },
      { events: [refused({ count: 0 })] },
      { events: [refused({ count: 1.5 })] },
      { events: [refused({ terminalId: '../../etc' })] },
      { events: [refused({ firstAt: -1 })] },
      { events: [{ kind: 'terminal-token.revoked', terminalId: 't', reason: 'holder-exited' }] },
      { events: [{ kind: 'terminal-token.revoked', terminalId: 't', reason: 'bored', at: 1 }] },
      { events: Array.from({ length: 51 }, () => refused()) },
      { events: [refused()], padding: 'x'.repeat(40 * 1024) },
      'not json at all',
    ];
    const before = await head();
    for (const body of bad) {
      const res = await report(alice, body);
      expect([400, 413, 415], `${JSON.stringify(body).slice(0, 80)} → ${res.status}`).toContain(res.status);
    }
    expect(await head()).toBe(before);
  });

  it('needs a DPoP-bound session: no token, a bearer token and a wrong proof key are refused and record no event', async () => {
    const body = { events: [refused()] };
    const anonymous = await w.broker.app.inject({ method: 'POST', url: PATH, payload: body });
    expect(anonymous.statusCode).toBe(401);
    const bearer = await w.broker.call({
      key: alice.key,
      token: alice.token,
      method: 'POST',
      path: PATH,
      body,
      authorization: `Bearer ${alice.token}`,
      dpop: null,
    });
    expect(bearer.statusCode).toBe(401);
    const mallory = await w.person('mallory');
    const foreignKey = await w.broker.call({
      key: alice.key,
      token: alice.token,
      method: 'POST',
      path: PATH,
      body,
      proof: { key: mallory.key },
    });
    expect(foreignKey.statusCode).toBe(401);
    expect(await clientRecords()).toEqual([]);
  });

  it('records a claim about another user’s terminal only as what this caller reported', async () => {
    const bob = await w.person('bob', ['team-leads']);
    // A terminal id and grant bob might hold: the broker looks up neither and acts on neither.
    const res = await report(bob, {
      events: [{ kind: 'terminal-token.revoked', terminalId: 'alicesTerminal', reason: 'revoked', at: 5 }],
    });
    expect(res.status).toBe(200);
    const [record] = await clientRecords();
    expect(record?.actor).toMatchObject({ userId: bob.user.id, deviceId: bob.deviceId });
    expect(record?.data).toEqual({
      reportedBy: 'client',
      terminalId: 'alicesTerminal',
      reason: 'revoked',
      at: 5,
    });
  });

  it('rate-limits each device: 429 once its burst is spent, the flood audited once, then it refills', async () => {
    const body = { events: [refused()] };
    let ok = 0;
    let limited = 0;
    for (let i = 0; i < 30; i++) {
      const res = await report(alice, body);
      if (res.status === 200) ok += 1;
      else {
        expect(res.status).toBe(429);
        expect(res.body['error']).toBe('rate_limited');
        limited += 1;
      }
    }
    expect(ok).toBe(20);
    expect(limited).toBe(10);
    const names = (await w.broker.store.readAudit(1, 10_000)).map((r) => r.activity);
    expect(names.filter((n) => n === 'client.terminal-token.refused')).toHaveLength(20);
    expect(names.filter((n) => n === 'client.events.rate-limited')).toHaveLength(1);
    // Another device is not held back by alice's flood.
    const bob = await w.person('bob');
    expect((await report(bob, body)).status).toBe(200);
    // The broker's clock moves on: alice may report again.
    w.broker.clock.now += 3_000;
    expect((await report(alice, body)).status).toBe(200);
  });
});

describe('CallerRateLimiter', () => {
  it('refills one token per interval up to the burst, and reports the first refusal of a run once', () => {
    const limiter = new CallerRateLimiter({ burst: 2, refillMs: 1000 });
    expect([limiter.take('a', 0), limiter.take('a', 0), limiter.take('a', 0), limiter.take('a', 10)]).toEqual(
      ['ok', 'ok', 'limited-first', 'limited'],
    );
    expect(limiter.take('a', 1000)).toBe('ok');
    expect(limiter.take('a', 1500)).toBe('limited-first');
    expect(limiter.take('a', 100_000)).toBe('ok');
    expect(limiter.take('a', 100_000)).toBe('ok');
    expect(limiter.take('a', 100_000)).toBe('limited-first');
  });

  it('stays bounded in callers', () => {
    const limiter = new CallerRateLimiter({ burst: 1, refillMs: 1000, maxCallers: 3 });
    for (let i = 0; i < 100; i++) expect(limiter.take(`c${i}`, 0)).toBe('ok');
  });
});
