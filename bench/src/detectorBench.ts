import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { apiTestBroker, makeTestDeviceKey } from '@strongroom/broker/api/apiTestBroker.js';
import type { DetectorFinding } from '@strongroom/broker/detectors/DetectorFinding.js';
import { createDetectors, DetectorEngine } from '@strongroom/broker/detectors/DetectorEngine.js';
import {
  bundleDetectorContext,
  recordedDay,
} from '@strongroom/broker/detectors/syntheticDay.test-support.js';
import { defaultPolicyBundleDir } from '@strongroom/broker/policy/defaultPolicyBundleDir.js';
import { loadPolicyBundle } from '@strongroom/broker/policy/loadPolicyBundle.js';
import { userEventSchema } from '@strongroom/shared/protocol/jitApi.js';
import { sessionRevocationFor, wipeRevokedSession } from '@strongroom/shared/session/sessionRevocation.js';
import { createMemoryCredentialStore } from '@strongroom/shared/vault/createMemoryCredentialStore.js';
import { intArg, percentile } from './benchStats.js';
import { loopbackSsePush } from './loopbackSsePush.js';

/**
 * Issue 9 benchmarks.
 *
 * 1. Detector throughput over recorded audit events (goal >= 50,000 events/s on one core): a
 *    synthetic day of broker traffic (token refreshes, decisions, issuance, posture, logins, JIT,
 *    refusals, enrollments, break-glass, reuse) for 2,000 people (syntheticDay.test-support.ts) is appended through the real
 *    SQLite store and read back as stored records; then every detector of the default bundle runs
 *    over them (DetectorEngine, as the broker runs it). Rates are per second of this process's CPU
 *    time (one core) and of wall time. Baseline in the same run: a loop that only reads each
 *    record's activity and principal and counts them (the least any consumer does).
 * 2. Lock -> client wipe on loopback (goal p99 < 2 s): the real broker listens on 127.0.0.1; a
 *    signed-in client holds the SSE stream open and, on `session.revoked`, wipes its credential
 *    store with the CLI's own code (sessionRevocationFor + wipeRevokedSession); an admin locks the
 *    user through POST /api/v1/admin/locks. Baseline: a bare Fastify POST that writes one SSE event.
 *
 *   node bench/dist/detectorBench.js [--events 100000] [--rounds 30]
 */

function timed(fn: () => number): { wallMs: number; cpuMs: number; result: number } {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const result = fn();
  const wallMs = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000, result };
}

async function throughput(count: number): Promise<void> {
  const records = await recordedDay(count);
  const bundle = await loadPolicyBundle(defaultPolicyBundleDir());
  const context = bundleDetectorContext(bundle);
  const baseline = () => {
    const counts = new Map<string, number>();
    for (const r of records) {
      const key = r.actor.userId ?? r.activity;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts.size;
  };
  const detect = () => {
    const engine = new DetectorEngine(createDetectors(bundle.detectors, context));
    const out: DetectorFinding[] = [];
    for (const r of records) engine.observe(r, out);
    return out.length;
  };
  // Warm-up, then the best of 5 (the machine is shared; the best run is the least disturbed).
  baseline();
  detect();
  const best = (fn: () => number) => {
    const runs = Array.from({ length: 5 }, () => timed(fn));
    return runs.reduce((a, b) => (b.cpuMs < a.cpuMs ? b : a));
  };
  const base = best(baseline);
  const det = best(detect);
  const perCpu = (t: { cpuMs: number }) => Math.round(records.length / (t.cpuMs / 1000));
  const perWall = (t: { wallMs: number }) => Math.round(records.length / (t.wallMs / 1000));
  const byDetector = new Map<string, number>();
  {
    const engine = new DetectorEngine(createDetectors(bundle.detectors, context));
    const out: DetectorFinding[] = [];
    for (const r of records) engine.observe(r, out);
    for (const f of out) byDetector.set(f.detector, (byDetector.get(f.detector) ?? 0) + 1);
  }
  console.log(
    `detector throughput over ${records.length.toLocaleString('en-US')} recorded audit records (best of 5):`,
  );
  console.log(
    `  all detectors of the default bundle: ${perCpu(det).toLocaleString('en-US')} events per CPU-second (${perWall(det).toLocaleString('en-US')}/s wall), ${det.result} findings (${[...byDetector].map(([d, n]) => `${d} ${n}`).join(', ')}); goal >= 50,000/s on one core: ${perCpu(det) >= 50_000 ? 'met' : 'NOT met'}`,
  );
  console.log(
    `  baseline (read activity + principal, count): ${perCpu(base).toLocaleString('en-US')} events per CPU-second; detectors cost ${(det.cpuMs / base.cpuMs).toFixed(1)}x the baseline, ${((det.cpuMs * 1000) / records.length).toFixed(2)} µs per record`,
  );
}

async function lockToWipe(rounds: number): Promise<number[]> {
  const b = await apiTestBroker();
  await b.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(b.app.server.address() as AddressInfo).port}`;
  const admin = await b.newUser({ id: 'admin-1', email: 'admin@example.test' });
  await b.store.upsertRole({ name: 'admin', description: 'admins' });
  await b.store.addMembership(admin.id, 'admin');
  const adminKey = await makeTestDeviceKey();
  const adminToken = await b.issueToken(admin, adminKey, { expiresIn: 3600 });
  const dev = await b.newUser({ id: 'dev-1', email: 'dev@example.test' });
  const devKey = await makeTestDeviceKey();
  const call = async (key: typeof devKey, token: string, method: string, path: string, body?: unknown) => {
    b.clock.now = Date.now();
    const dpop = await b.proof(key, { htm: method, htu: `${b.issuer}${path}`, accessToken: token });
    return fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `DPoP ${token}`,
        dpop,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  };
  const times: number[] = [];
  for (let i = 0; i < rounds + 3; i++) {
    // A signed-in client: tokens in its vault, the event stream open.
    const vault = createMemoryCredentialStore();
    await vault.set('bench', 'refresh_token', 'rt', Date.now() + 3_600_000);
    const token = await b.issueToken(dev, devKey, { expiresIn: 3600 });
    // The broker ends this stream itself right after the lock's events (a locked account).
    const stream = await call(devKey, token, 'GET', '/api/v1/events');
    const wiped = new Promise<number>((resolve) => {
      void (async () => {
        const decoder = new TextDecoder();
        let buffer = '';
        for await (const chunk of stream.body as ReadableStream<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let cut;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const data = buffer
              .slice(0, cut)
              .split('\n')
              .find((l) => l.startsWith('data:'))
              ?.slice(5);
            buffer = buffer.slice(cut + 2);
            if (data === undefined) continue;
            const event = userEventSchema.parse(JSON.parse(data));
            if (sessionRevocationFor(event, devKey.thumbprint) === undefined) continue;
            await wipeRevokedSession(vault, 'bench');
            resolve(performance.now());
            return;
          }
        }
      })().catch(() => undefined);
    });
    const t0 = performance.now();
    const res = await call(adminKey, adminToken, 'POST', '/api/v1/admin/locks', {
      kind: 'user',
      user: dev.id,
      reason: `benchmark round ${i}`,
    });
    if (res.status !== 201) throw new Error(`lock answered ${res.status}: ${await res.text()}`);
    const t1 = await wiped;
    if ((await vault.list('bench')).length !== 0) throw new Error('the client was not wiped');
    if (i >= 3) times.push(t1 - t0);
    // Unlock for the next round straight in the store (the key-touch unlock is tested elsewhere).
    const lock = await b.store.getActiveLock('user', dev.id);
    await b.store.transaction(async (tx) => {
      if (lock) await tx.endLock(lock.id, admin.id, Date.now(), 'benchmark');
      await tx.setUserStatus(dev.id, 'active');
    });
  }
  await b.close();
  return times;
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
console.log(`load average at start ${load()}`);
await throughput(intArg('--events', 100_000));
const rounds = intArg('--rounds', 30);
const bare = await loopbackSsePush(rounds, 'session.revoked');
const lock = await lockToWipe(rounds);
const fmt = (v: number) => v.toFixed(1);
console.log(
  `lock -> client wipe on loopback (${rounds} rounds): p50 ${fmt(percentile(lock, 50))} ms, p99 ${fmt(percentile(lock, 99))} ms (goal p99 < 2000 ms: ${percentile(lock, 99) < 2000 ? 'met' : 'NOT met'})`,
);
console.log(
  `  baseline (bare Fastify POST -> SSE write): p50 ${fmt(percentile(bare, 50))} ms, p99 ${fmt(percentile(bare, 99))} ms; ratio p50 ${(percentile(lock, 50) / percentile(bare, 50)).toFixed(1)}x`,
);
console.log(`load average at end ${load()}`);
process.exit(0);
