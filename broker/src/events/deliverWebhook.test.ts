import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempSqliteStore, type TempSqliteStore } from '../store/tempSqliteStore.js';
import { deliverWebhook, webhookSignature } from './deliverWebhook.js';

const SECRET = 's'.repeat(40);
const NOW = 1_750_000_000_000;

describe('approver webhooks (real HTTP receiver on 127.0.0.1, real store)', () => {
  let temp: TempSqliteStore;
  let server: Server;
  let url: string;
  let answers: number[];
  let received: Array<{ headers: Record<string, string | string[] | undefined>; body: string }>;
  const sleeps: number[] = [];
  beforeEach(async () => {
    temp = await openTempSqliteStore();
    received = [];
    sleeps.length = 0;
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
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T000/SECRETPATH`;
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    await temp.dispose();
  });
  const deps = () => ({
    store: temp.store,
    now: () => NOW,
    fetch,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
    backoffMs: 100,
    attempts: 4,
  });
  const message = { event: 'request.pending', text: 'ann asks for role x', data: { requestId: 'r1' } };

  it('sends Slack-compatible JSON signed with HMAC-SHA256 over timestamp and body, retrying 5xx with backoff', async () => {
    answers = [503, 500, 200];
    expect(await deliverWebhook(deps(), { url, secret: SECRET }, message)).toBe(true);
    expect(received).toHaveLength(3);
    expect(sleeps).toEqual([100, 200]);
    const last = received[2];
    expect(JSON.parse(last?.body ?? '')).toMatchObject({
      text: 'ann asks for role x',
      event: 'request.pending',
    });
    const signature = String(last?.headers['x-strongroom-signature']);
    const t = Math.floor(NOW / 1000);
    const expected = createHmac('sha256', SECRET)
      .update(`${t}.${last?.body ?? ''}`)
      .digest('hex');
    expect(signature).toBe(`t=${t},v1=${expected}`);
    expect(webhookSignature('another secret of at least 32 chars!!', t, last?.body ?? '')).not.toBe(
      signature,
    );
    const [record] = await temp.store.readAudit(1, 10);
    expect(record).toMatchObject({
      activity: 'webhook.deliver',
      classUid: 6003,
      statusId: 1,
      data: { attempts: 3, status: 200, requestId: 'r1' },
    });
    // The secret and the secret-bearing path never reach the audit log.
    expect(JSON.stringify(record)).not.toContain('SECRETPATH');
    expect(JSON.stringify(record)).not.toContain(SECRET);
  });

  it('does not retry a refusal (4xx) and audits the failure; gives up after the last attempt', async () => {
    answers = [400];
    expect(await deliverWebhook(deps(), { url, secret: SECRET }, message)).toBe(false);
    expect(received).toHaveLength(1);
    answers = [503, 503, 503, 503, 503];
    expect(await deliverWebhook(deps(), { url, secret: SECRET }, message)).toBe(false);
    expect(received).toHaveLength(5);
    const records = await temp.store.readAudit(1, 10);
    expect(records.map((r) => [r.statusId, r.data?.['attempts'], r.data?.['status']])).toEqual([
      [2, 1, 400],
      [2, 4, 503],
    ]);
  });
});
