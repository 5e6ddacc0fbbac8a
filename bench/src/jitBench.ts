import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { apiTestBroker } from '@strongroom/broker/api/apiTestBroker.js';
import { benchPerson as person } from './benchPerson.js';
import { loopbackSsePush } from './loopbackSsePush.js';
import { sseReader } from './sseReader.js';

/**
 * Approve → the requester's SSE client receives `request.approved` (issue 5 goal: p50 < 100 ms on
 * loopback). The real broker (createBrokerServer on SQLite with synchronous=FULL, default policy
 * bundle) listens on 127.0.0.1; the approver's assertion is made before the clock starts, so the
 * figure is the broker's approval (policy, WebAuthn verification, one durable transaction with
 * audit and event) plus the push. Baseline in the same run: a bare Fastify route that writes one
 * SSE event to an open stream when POSTed (the loopback HTTP + SSE floor).
 *
 *   node bench/dist/jitBench.js [--rounds 40]
 */

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  const value = i > 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1 || value > 10_000)
    throw new Error(`${name} takes a whole number`);
  return value;
};

const pct = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

async function brokerRun(rounds: number): Promise<number[]> {
  const b = await apiTestBroker();
  await b.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(b.app.server.address() as AddressInfo).port}`;
  const alice = await person(b, 'alice', 'ml-engineers');
  const bob = await person(b, 'bob', 'team-leads');
  const call = async (p: typeof alice, method: 'GET' | 'POST', path: string, body?: unknown) => {
    b.clock.now = Date.now();
    const dpop = await b.proof(p.key, { htm: method, htu: `${b.issuer}${path}`, accessToken: p.token });
    return fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `DPoP ${p.token}`,
        dpop,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  };
  const stream = await call(alice, 'GET', '/api/v1/events');
  const waitFor = sseReader(stream.body as ReadableStream<Uint8Array>);
  const times: number[] = [];
  for (let i = 0; i < rounds + 3; i++) {
    const created = (await (
      await call(alice, 'POST', '/api/v1/requests', {
        target: { type: 'Role', id: 'ml-researcher' },
        durationMinutes: 30,
        reason: 'benchmark round for the approval push',
      })
    ).json()) as { request: { id: string } };
    const id = created.request.id;
    const { options } = (await (
      await call(bob, 'POST', `/api/v1/requests/${id}/approval-challenge`)
    ).json()) as {
      options: { challenge: string };
    };
    bob.counter += 1;
    const assertion = bob.authenticator.assert({
      challenge: options.challenge,
      origin: new URL(b.issuer).origin,
      rpId: new URL(b.issuer).hostname,
      counter: bob.counter,
    });
    const received = waitFor((data) => data.includes('"request.approved"') && data.includes(id));
    const t0 = performance.now();
    const res = await call(bob, 'POST', `/api/v1/requests/${id}/approve`, { assertion });
    if (res.status !== 200) throw new Error(`approve answered ${res.status}: ${await res.text()}`);
    await received;
    if (i >= 3) times.push(performance.now() - t0); // the first rounds warm up
  }
  await b.close();
  return times;
}

const rounds = arg('--rounds', 40);
const baseline = await loopbackSsePush(rounds, 'request.approved');
const broker = await brokerRun(rounds);
const fmt = (v: number) => v.toFixed(1);
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; ${rounds} rounds each`,
);
console.log(
  `approve -> requester's SSE event: p50 ${fmt(pct(broker, 50))} ms, p99 ${fmt(pct(broker, 99))} ms (goal p50 < 100 ms: ${pct(broker, 50) < 100 ? 'met' : 'NOT met'})`,
);
console.log(
  `baseline (bare Fastify POST -> SSE write on loopback): p50 ${fmt(pct(baseline, 50))} ms, p99 ${fmt(pct(baseline, 99))} ms; ratio p50 ${(pct(broker, 50) / pct(baseline, 50)).toFixed(1)}x`,
);
process.exit(0);
