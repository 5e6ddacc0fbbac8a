import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { apiTestBroker, type ApiTestBroker } from '@strongroom/broker/api/apiTestBroker.js';
import { statusBarModel } from '@strongroom/shared/access/statusBarModel.js';
import { systemClock } from '@strongroom/shared/agent/AgentClock.js';
import { createAgent } from '@strongroom/shared/agent/createAgent.js';
import type { BrokerClient } from '@strongroom/shared/broker-client/createBrokerClient.js';
import type { DeviceKey } from '@strongroom/shared/device/DeviceKey.js';
import type { SessionController } from '@strongroom/shared/session/createSessionController.js';
import type { SessionSummary } from '@strongroom/shared/session/SessionSummary.js';
import { createMemoryCredentialStore } from '@strongroom/shared/vault/createMemoryCredentialStore.js';
import { benchPerson as person } from './benchPerson.js';
import { intArg, median, percentile } from './benchStats.js';

/**
 * Issue 7: the broker's approval → the status bar shows the grant, goal < 1 s. The real broker
 * (createBrokerServer on SQLite, default bundle) on 127.0.0.1; the requester's real agent
 * (createAgent: SSE follower, its reaction re-reading grants, the observable state); the status bar
 * text from `statusBarModel`, the function the extension's StatusBar renders. The edge faked: the
 * session controller hands the agent a token the broker issued (the browser login is tested
 * elsewhere), and posture is not run. The approver's key assertion is made before the clock starts.
 * Baseline in the same run: the same approval seen by a bare SSE reader on the requester's stream.
 *
 *   node bench/dist/approvalStatusBarBench.js [--rounds 20]
 */

function client(b: ApiTestBroker, base: string, key: DeviceKey, token: string): BrokerClient {
  return {
    async request(method, path, body) {
      b.clock.now = Date.now();
      const dpop = await b.proof(key, { htm: method, htu: `${b.issuer}${path}`, accessToken: token });
      const response = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `DPoP ${token}`,
          dpop,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}`);
      return response;
    },
  };
}

const rounds = intArg('--rounds', 20);
const b = await apiTestBroker();
await b.app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(b.app.server.address() as AddressInfo).port}`;
const alice = await person(b, 'alice', 'ml-engineers');
const bob = await person(b, 'bob', 'team-leads');
const aliceApi = client(b, base, alice.key, alice.token);
const bobApi = client(b, base, bob.key, bob.token);
const summary: SessionSummary = {
  issuer: b.issuer,
  subject: 'alice',
  email: 'alice@example.test',
  name: undefined,
  amr: ['hwk'],
  acr: 'urn:strongroom:acr:hwk',
  authTime: Date.now(),
  accessTokenIssuedAt: Date.now(),
  accessTokenExpiresAt: Date.now() + 3600_000,
  sessionExpiresAt: Date.now() + 8 * 3600_000,
  sessionEndSource: 'id_token',
  deviceKeyThumbprint: alice.key.thumbprint,
  deviceKeyProtection: 'software',
};
const session: SessionController = {
  login: () => Promise.reject(new Error('not in the benchmark')),
  logout: () => Promise.reject(new Error('not in the benchmark')),
  status: async () => summary,
  accessToken: async () => alice.token,
  api: aliceApi,
  keepFresh: () => ({ stop: () => undefined }),
};
const profile = {
  name: 'bench',
  broker: b.issuer,
  clientId: 'strongroom-cli',
  acr: 'urn:strongroom:acr:hwk',
};
const agent = createAgent({
  profile,
  session,
  broker: aliceApi,
  vault: createMemoryCredentialStore(),
  deviceKey: async () => alice.key,
  clock: systemClock,
  notifier: { show: () => undefined },
  posture: {
    run: () => Promise.reject(new Error('posture is not part of this benchmark')),
    platformFacts: () => Promise.reject(new Error('posture is not part of this benchmark')),
  },
  platform: process.platform,
  version: 'bench',
  log: () => undefined,
});
await agent.start();
while (!agent.state.get().connected) await new Promise((resolve) => setTimeout(resolve, 50));

// The baseline reader: the same events on a second stream of the requester, parsed bare.
const stream = await aliceApi.request('GET', '/api/v1/events');
const seen = new Set<string>();
void (async () => {
  const decoder = new TextDecoder();
  for await (const chunk of stream.body as ReadableStream<Uint8Array>) {
    const text = decoder.decode(chunk, { stream: true });
    for (const m of text.matchAll(/"requestId":"([^"]+)"|"id":"([0-9a-f-]{36})"/g))
      seen.add(m[1] ?? m[2] ?? '');
  }
})().catch(() => undefined);

const toStatusBar: number[] = [];
const toSse: number[] = [];
for (let i = 0; i < rounds + 3; i++) {
  const created = (await (
    await aliceApi.request('POST', '/api/v1/requests', {
      target: { type: 'Role', id: 'ml-researcher' },
      durationMinutes: 30,
      reason: 'benchmark round for the status bar',
    })
  ).json()) as { request: { id: string } };
  const id = created.request.id;
  const { options } = (await (
    await bobApi.request('POST', `/api/v1/requests/${id}/approval-challenge`)
  ).json()) as { options: { challenge: string } };
  bob.counter += 1;
  const assertion = bob.authenticator.assert({
    challenge: options.challenge,
    origin: new URL(b.issuer).origin,
    rpId: new URL(b.issuer).hostname,
    counter: bob.counter,
  });
  const shown = new Promise<number>((resolve) => {
    const stop = agent.state.subscribe((state) => {
      const g = state.grants.find((x) => x.requestId === id);
      if (g !== undefined && statusBarModel(state, Date.now()).text.includes('to activate')) {
        stop();
        resolve(performance.now());
      }
    });
  });
  const t0 = performance.now();
  await bobApi.request('POST', `/api/v1/requests/${id}/approve`, { assertion });
  let sseAt: number | undefined;
  while (sseAt === undefined) {
    if (seen.has(id)) sseAt = performance.now();
    else await new Promise((resolve) => setImmediate(resolve));
  }
  const t1 = await shown;
  if (i >= 3) {
    toStatusBar.push(t1 - t0);
    toSse.push(sseAt - t0);
  }
  // Back to "nothing approved" so the next round's text change is this round's grant.
  const grants = agent.state.get().grants.filter((g) => g.state === 'approved');
  for (const g of grants)
    await agent
      .call('grants.activate', { grantId: g.id })
      .then(() => agent.call('grants.drop', { grantId: g.id }));
}
agent.stop();
await b.close();

const f = (v: number) => v.toFixed(1);
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; ${rounds} rounds`,
);
console.log(
  `approve -> status bar shows the grant (agent state + statusBarModel): p50 ${f(median(toStatusBar))} ms, p99 ${f(percentile(toStatusBar, 99))} ms (goal < 1 s: ${percentile(toStatusBar, 99) < 1000 ? 'met' : 'NOT met'})`,
);
console.log(
  `baseline (approve -> the same event on a bare SSE reader): p50 ${f(median(toSse))} ms; ratio p50 ${(median(toStatusBar) / median(toSse)).toFixed(1)}x`,
);
process.exit(0);
