import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jitWorld, type JitWorld, type Person } from '../jit/jitWorld.test-support.js';

interface Sse {
  id: number;
  event: string;
  data: { id: number; type: string; data: Record<string, unknown> };
}

/** A minimal SSE reader (WHATWG HTML §9.2.6) over fetch, for the test. */
async function openStream(w: JitWorld, base: string, p: Person, lastEventId?: number) {
  const htu = `${w.broker.issuer}/api/v1/events`;
  const dpop = await w.broker.proof(p.key, { htm: 'GET', htu, accessToken: p.token });
  const controller = new AbortController();
  const res = await fetch(`${base}/api/v1/events`, {
    headers: {
      authorization: `DPoP ${p.token}`,
      dpop,
      ...(lastEventId === undefined ? {} : { 'last-event-id': String(lastEventId) }),
    },
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const queue: Sse[] = [];
  const next = async (): Promise<Sse> => {
    for (;;) {
      const ready = queue.shift();
      if (ready) return ready;
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const fields = new Map<string, string>();
        for (const line of block.split('\n')) {
          if (line.startsWith(':') || !line.includes(':')) continue;
          const i = line.indexOf(':');
          fields.set(line.slice(0, i), line.slice(i + 1).trimStart());
        }
        if (fields.has('data'))
          queue.push({
            id: Number(fields.get('id')),
            event: fields.get('event') ?? 'message',
            data: JSON.parse(fields.get('data') ?? '{}') as Sse['data'],
          });
      }
    }
  };
  return { next, close: () => controller.abort() };
}

describe('GET /api/v1/events (Server-Sent Events, real listening broker)', () => {
  let w: JitWorld;
  let base: string;
  let alice: Person;
  let bob: Person;
  let carol: Person;
  beforeEach(async () => {
    w = await jitWorld();
    alice = await w.person('alice', ['ml-engineers']);
    bob = await w.person('bob', ['data-stewards']);
    carol = await w.person('carol', ['data-stewards']);
    await w.broker.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(w.broker.app.server.address() as AddressInfo).port}`;
  });
  afterEach(async () => w.close());

  it('pushes request events live, and a reconnect with Last-Event-ID recovers what was missed', async () => {
    const stream = await openStream(w, base, alice);
    const created = await w.call(alice, 'POST', '/api/v1/requests', {
      target: { type: 'Role', id: 'restricted-data-reader' },
      durationMinutes: 30,
      reason: 'look at the churn training data',
    });
    const requestId = (created.body['request'] as { id: string }).id;
    const pending = await stream.next();
    expect(pending).toMatchObject({
      event: 'request.pending',
      data: { type: 'request.pending', data: { requestId } },
    });
    stream.close();

    // While alice is away, bob approves (one of two).
    expect((await w.approve(bob, requestId)).status).toBe(200);

    const again = await openStream(w, base, alice, pending.id);
    const missed = await again.next();
    expect(missed).toMatchObject({ event: 'approval.recorded', data: { data: { requestId, approvals: 1 } } });
    expect(missed.id).toBeGreaterThan(pending.id);
    // And live again: carol's approval completes it.
    expect((await w.approve(carol, requestId)).status).toBe(200);
    const approved = await again.next();
    expect(approved).toMatchObject({ event: 'request.approved', data: { data: { requestId } } });
    expect(approved.id).toBeGreaterThan(missed.id);
    again.close();
  });

  it('approvers get the pending request; expiring and ended grant events come from the sweeper once', async () => {
    const bobStream = await openStream(w, base, bob);
    const created = await w.call(alice, 'POST', '/api/v1/requests', {
      target: { type: 'Role', id: 'restricted-data-reader' },
      durationMinutes: 15,
      reason: 'look at the churn training data',
    });
    const requestId = (created.body['request'] as { id: string }).id;
    expect(await bobStream.next()).toMatchObject({
      event: 'request.pending',
      data: { data: { requestId, toReview: true } },
    });
    bobStream.close();
    await w.approve(bob, requestId);
    const grantId = ((await w.approve(carol, requestId)).body['grant'] as { id: string }).id;
    await w.call(alice, 'POST', `/api/v1/grants/${grantId}/activate`);
    const aliceStream = await openStream(w, base, alice, 0);
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) seen.push((await aliceStream.next()).event);
    expect(seen).toEqual(['request.pending', 'approval.recorded', 'request.approved', 'grant.activated']);
    w.broker.clock.now += 6 * 60_000; // 9 minutes left
    await w.sweep();
    await w.sweep();
    w.broker.clock.now += 8 * 60_000; // 1 minute left
    await w.sweep();
    w.broker.clock.now += 2 * 60_000; // over
    await w.sweep();
    await w.sweep();
    const events = (await w.broker.store.listUserEvents('alice', 0, 100)).map(
      (e) => `${e.type}${e.data['minutesLeft'] ?? ''}`,
    );
    expect(events.slice(-3)).toEqual(['grant.expiring10', 'grant.expiring2', 'grant.ended']);
    // The open stream delivered them too, in order.
    const live: string[] = [];
    for (let i = 0; i < 3; i++) live.push((await aliceStream.next()).event);
    expect(live).toEqual(['grant.expiring', 'grant.expiring', 'grant.ended']);
    aliceStream.close();
  });

  it('alerts and locks reach the admins’ streams live, and no one else’s', async () => {
    const ada = await w.person('ada', ['admin']);
    const eve = await w.person('eve', ['admin']);
    const dan = await w.person('dan', ['ml-engineers']);
    const adminStream = await openStream(w, base, ada);
    const aliceStream = await openStream(w, base, alice);
    // A burst of refusals by dan (admin API calls he may not make): the denial-burst detector of
    // the default bundle raises an alert from the audit log, as the broker runs it.
    for (let i = 0; i < 15; i++) expect((await w.call(dan, 'GET', '/api/v1/admin/alerts')).status).toBe(403);
    // And an admin locks carol.
    const locked = await w.call(eve, 'POST', '/api/v1/admin/locks', {
      kind: 'user',
      user: 'carol',
      reason: 'laptop reported stolen',
    });
    expect(locked.status).toBe(201);
    const seen = new Map<string, Sse>();
    while (!seen.has('alert.raised') || !seen.has('principal.locked')) {
      const e = await adminStream.next();
      if (!seen.has(e.event)) seen.set(e.event, e);
    }
    expect(seen.get('alert.raised')?.data.data).toMatchObject({ detector: 'denial-burst', userId: 'dan' });
    expect(seen.get('principal.locked')?.data.data).toMatchObject({ lockedBy: 'eve' });
    expect(JSON.stringify(seen.get('principal.locked')?.data.data)).toContain('carol');
    // alice's stream: the next thing on it is her own request, nothing of the alert or the lock.
    const created = await w.call(alice, 'POST', '/api/v1/requests', {
      target: { type: 'Role', id: 'restricted-data-reader' },
      durationMinutes: 30,
      reason: 'look at the churn training data',
    });
    const requestId = (created.body['request'] as { id: string }).id;
    expect(await aliceStream.next()).toMatchObject({
      event: 'request.pending',
      data: { data: { requestId } },
    });
    const stored = (await w.broker.store.listUserEvents('alice', 0, 100)).map((e) => e.type);
    expect(stored).not.toContain('alert.raised');
    expect(stored).not.toContain('principal.locked');
    adminStream.close();
    aliceStream.close();
  });
});
