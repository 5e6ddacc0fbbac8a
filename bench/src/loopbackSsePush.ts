import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import Fastify from 'fastify';
import { sseReader } from './sseReader.js';

/**
 * The loopback HTTP + SSE floor that push benchmarks compare against: a bare Fastify route that,
 * when POSTed, writes one SSE event of `eventType` to every open stream. Returns the time from the
 * POST to the event reaching the reader, for `rounds` rounds after 3 warm-up rounds.
 */
export async function loopbackSsePush(rounds: number, eventType: string): Promise<number[]> {
  const app = Fastify();
  const streams = new Set<ServerResponse>();
  app.get('/events', async (_request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
    reply.raw.write(': open\n\n');
    streams.add(reply.raw);
  });
  app.post('/push', async (request) => {
    const { id } = request.body as { id: string };
    for (const s of streams) s.write(`id: 1\nevent: x\ndata: {"type":"${eventType}","id":"${id}"}\n\n`);
    return { ok: true };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const controller = new AbortController();
  const stream = await fetch(`${base}/events`, { signal: controller.signal });
  const waitFor = sseReader(stream.body as ReadableStream<Uint8Array>);
  const times: number[] = [];
  for (let i = 0; i < rounds + 3; i++) {
    const id = `r${i}`;
    const received = waitFor((data) => data.includes(`"${id}"`));
    const t0 = performance.now();
    await fetch(`${base}/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id }),
    });
    await received;
    if (i >= 3) times.push(performance.now() - t0);
  }
  controller.abort();
  for (const s of streams) s.end();
  await app.close();
  return times;
}
