import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempSqliteStore, type TempSqliteStore } from '../store/tempSqliteStore.js';
import { alertMessage } from './alertMessage.js';
import { enqueueWebhookMessage, WebhookOutbox } from './WebhookOutbox.js';

const SECRET = 'k'.repeat(40);
const T0 = 1_750_000_000_000;

const message = alertMessage({
  id: 'a1',
  detector: 'issuance-volume',
  severity: 'critical',
  action: 'lock-principal',
  userId: 'ann',
  userEmail: 'ann@example.test',
  deviceId: null,
  summary: '26 restricted credential issuances/uses in 5 min (cap 25)',
  lockId: 'l1',
  lockSkipped: null,
  data: { count: 26 },
});

describe('alert webhook outbox (real HTTP receiver on 127.0.0.1, real store, the clock moved by hand)', () => {
  let temp: TempSqliteStore;
  let server: Server;
  let url: string;
  let answers: number[];
  let received: Array<{ headers: Record<string, string | string[] | undefined>; body: string }>;
  const clock = { now: T0 };
  const outboxes: WebhookOutbox[] = [];

  beforeEach(async () => {
    temp = await openTempSqliteStore();
    clock.now = T0;
    received = [];
    answers = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.statusCode = answers.shift() ?? 200;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T0/B0/SECRETPATH`;
  });
  afterEach(async () => {
    for (const o of outboxes.splice(0)) await o.close();
    await new Promise((resolve) => server.close(resolve));
    await temp.dispose();
  });

  /** An outbox over the same store, as after a broker (re)start. */
  const outbox = (targets = [{ url, secret: SECRET }]) => {
    const o = new WebhookOutbox({
      store: temp.store,
      now: () => clock.now,
      fetch,
      targets,
      attempts: 4,
      backoffMs: 1000,
      pollMs: 60_000, // the test kicks it
    });
    outboxes.push(o);
    return o;
  };
  const pass = async (o: WebhookOutbox) => {
    o.kick();
    await o.idle();
  };
  const enqueue = () =>
    temp.store.transaction((tx) =>
      enqueueWebhookMessage(tx, [{ url, secret: SECRET }], message, clock.now, 'a1'),
    );

  it('delivers Slack-compatible JSON, HMAC-signed over timestamp and body', async () => {
    await enqueue();
    await pass(outbox());
    expect(received).toHaveLength(1);
    const r = received[0];
    const body = JSON.parse(r?.body ?? '{}') as Record<string, unknown>;
    expect(body['text']).toMatch(/CRITICAL alert \(issuance-volume\) for ann@example.test: 26 restricted/);
    expect(body['text']).toMatch(/Account LOCKED automatically/);
    expect(body['blocks']).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'section' })]));
    const signature = String(r?.headers['x-strongroom-signature']);
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature) ?? [];
    expect(Number(t)).toBe(Math.floor(T0 / 1000));
    expect(v1).toBe(createHmac('sha256', SECRET).update(`${t}.${r?.body}`).digest('hex'));
    expect(r?.headers['x-strongroom-event']).toBe('alert.raised');
    const [delivery] = await temp.store.listWebhookDeliveries({ limit: 10 });
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 200 });
  });

  it('retries 5xx with exponential backoff kept in the store, across a restart', async () => {
    answers = [503, 503];
    await enqueue();
    const first = outbox();
    await pass(first);
    expect(received).toHaveLength(1);
    let [d] = await temp.store.listWebhookDeliveries({ limit: 10 });
    expect(d).toMatchObject({
      status: 'pending',
      attempts: 1,
      nextAttemptAt: T0 + 1000,
      lastError: 'HTTP 503',
    });
    // Not due yet: nothing is sent.
    clock.now = T0 + 999;
    await pass(first);
    expect(received).toHaveLength(1);
    await first.close();

    // The broker restarts: a new outbox finds the due retry in the store.
    const second = outbox();
    clock.now = T0 + 1000;
    await pass(second);
    [d] = await temp.store.listWebhookDeliveries({ limit: 10 });
    expect(d).toMatchObject({ status: 'pending', attempts: 2, nextAttemptAt: T0 + 1000 + 2000 });
    clock.now = T0 + 3000;
    await pass(second);
    [d] = await temp.store.listWebhookDeliveries({ limit: 10 });
    expect(d).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 200 });
    expect(received).toHaveLength(3);
    // Each attempt is signed with its own time.
    expect(received.map((r) => String(r.headers['x-strongroom-signature']).split(',')[0])).toEqual([
      `t=${Math.floor(T0 / 1000)}`,
      `t=${Math.floor((T0 + 1000) / 1000)}`,
      `t=${Math.floor((T0 + 3000) / 1000)}`,
    ]);
  });

  it('becomes a dead letter after the last attempt, audited without the URL’s secret path', async () => {
    answers = [500, 500, 500, 500, 500];
    await enqueue();
    const o = outbox();
    for (const at of [0, 1000, 3000, 7000]) {
      clock.now = T0 + at;
      await pass(o);
    }
    expect(received).toHaveLength(4);
    const dead = await temp.store.listWebhookDeliveries({ status: 'dead', limit: 10 });
    expect(dead).toEqual([expect.objectContaining({ attempts: 4, lastStatus: 500, lastError: 'HTTP 500' })]);
    clock.now = T0 + 60_000;
    await pass(o);
    expect(received).toHaveLength(4);
    const audit = (await temp.store.readAudit(1, 100)).filter((r) => r.activity === 'webhook.deliver');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ statusId: 2, data: { attempts: 4, deadLetter: true, alertId: 'a1' } });
    expect(JSON.stringify(audit[0])).not.toContain('SECRETPATH');
  });

  it('does not retry an answer retrying cannot change (4xx), nor a receiver no longer configured', async () => {
    answers = [404];
    await enqueue();
    await pass(outbox());
    expect(received).toHaveLength(1);
    expect(await temp.store.listWebhookDeliveries({ status: 'dead', limit: 10 })).toEqual([
      expect.objectContaining({ attempts: 1, lastStatus: 404 }),
    ]);
    await enqueue();
    await pass(outbox([]));
    expect(received).toHaveLength(1);
    expect(await temp.store.listWebhookDeliveries({ status: 'dead', limit: 10 })).toHaveLength(2);
  });

  it('two instances racing over the same due delivery send it once', async () => {
    await enqueue();
    const a = outbox();
    const b = outbox();
    a.kick();
    b.kick();
    await Promise.all([a.idle(), b.idle()]);
    expect(received).toHaveLength(1);
  });
});
