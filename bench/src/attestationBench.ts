import { spawnSync } from 'node:child_process';
import { createPublicKey, webcrypto } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseApiOptions } from '@strongroom/broker/api/apiOptions.js';
import { submitPostureReport } from '@strongroom/broker/api/posture/submitPostureReport.js';
import { verifyPostureReport } from '@strongroom/broker/api/posture/verifyPostureReport.js';
import { openSqliteStore } from '@strongroom/broker/store/SqliteStore.js';
import type { DeviceKey, DevicePublicJwk } from '@strongroom/shared/device/DeviceKey.js';
import { jwkThumbprint } from '@strongroom/shared/device/jwkThumbprint.js';
import { createNodePostureHost } from '@strongroom/shared/posture/nodeHost.js';
import { runPostureChecks } from '@strongroom/shared/posture/runPostureChecks.js';
import { signPostureReport } from '@strongroom/shared/posture-attestation/signPostureReport.js';
import type { PostureAttestationPayload } from '@strongroom/shared/protocol/deviceApi.js';
import { compactVerify } from 'jose';

/**
 * Posture attestation (issue 4), two figures, each against a baseline measured in the same run:
 *
 * 1. Broker verification of a signed report, on one core (one Node thread, SQLite in-process):
 *    `verifyPostureReport` (size, header, enrolled-device lookup in SQLite, ES256 signature against
 *    the enrolled key, strict zod payload, time) vs a bare ES256 `compactVerify` of the same JWS.
 *    Also the whole submission (verify + nonce consumed + posture stored + audit record, one durable
 *    SQLite commit each), which the fsync bounds. Goal: >= 1,000 verified reports/s.
 * 2. Full posture run to a signed report in a fresh process (process start, every Linux check,
 *    report signed with a P-256 device key) vs `node -e 0`. Goal: median < 1.5 s. The key is made in
 *    the process (a keychain read adds one D-Bus round trip in the CLI).
 *
 *   node bench/dist/attestationBench.js [--reports 3000] [--runs 11]
 */

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  const value = i > 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1 || value > 100_000)
    throw new Error(`${name} takes a whole number`);
  return value;
};

async function makeKey(): Promise<DeviceKey> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256' } as const;
  const pair = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const jwk = await webcrypto.subtle.exportKey('jwk', pair.publicKey);
  const publicJwk: DevicePublicJwk = { kty: 'EC', crv: 'P-256', x: String(jwk.x), y: String(jwk.y) };
  return {
    protection: 'software',
    publicJwk,
    thumbprint: jwkThumbprint(publicJwk),
    sign: async (data) =>
      new Uint8Array(await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, data)),
  };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

interface Rate {
  /** Per wall-clock second. */
  wall: number;
  /** Per second of this process's CPU time (user + system): what one core does when it is ours. */
  cpu: number;
}

async function perSecond(count: number, one: (i: number) => Promise<unknown>): Promise<Rate> {
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < count; i += 1) await one(i);
  const wallS = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { wall: count / wallS, cpu: count / ((cpu.user + cpu.system) / 1e6) };
}

const rate = (r: Rate): string => `${r.wall.toFixed(0)} /s wall, ${r.cpu.toFixed(0)} /s per CPU-second`;

async function verificationThroughput(count: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'strongroom-bench-'));
  const store = await openSqliteStore(dir);
  try {
    const key = await makeKey();
    const now = Date.now();
    await store.createUser({ id: 'u1', email: 'ada@example.test', displayName: 'Ada', createdAt: now });
    await store.createDevice({
      id: 'd1',
      userId: 'u1',
      thumbprint: key.thumbprint,
      publicJwk: { ...key.publicJwk },
      keyProtection: 'software',
      os: 'linux',
      osVersion: 'bench',
      hostname: 'bench',
      model: null,
      serial: null,
      status: 'active',
      enrolledAt: now,
      lastSeenAt: now,
      replacedBy: null,
    });
    const { checks } = await runPostureChecks(createNodePostureHost());
    const payload = (i: number): PostureAttestationPayload => ({
      deviceId: 'd1',
      nonce: `bench-nonce-${String(i).padStart(12, '0')}`,
      iat: Math.floor(now / 1000),
      platform: 'linux',
      agentVersion: 'bench',
      checks,
    });
    const reports = await Promise.all(
      Array.from({ length: count }, (_, i) => signPostureReport(key, payload(i))),
    );
    const publicKey = createPublicKey({ key: { ...key.publicJwk }, format: 'jwk' });
    const ctx = {
      store,
      userId: 'u1',
      callerThumbprint: key.thumbprint,
      now: () => now,
      maxSkewSeconds: 300,
    };

    // Warm-up of both paths (JIT, key cache, prepared statements).
    for (const r of reports.slice(0, 200)) {
      await compactVerify(r, publicKey);
      await verifyPostureReport(ctx, r);
    }
    const bare = await perSecond(count, (i) => compactVerify(reports[i] ?? '', publicKey));
    const full = await perSecond(count, async (i) => {
      const result = await verifyPostureReport(ctx, reports[i] ?? '');
      if (!result.ok) throw new Error(`report refused: ${result.reason}`);
    });

    // Whole submissions: a nonce per report, then verify + consume + store + audit, durable commits.
    const submissions = Math.min(count, 300);
    const { hashNonce } = await import('@strongroom/broker/api/posture/issuePostureNonce.js');
    for (let i = 0; i < submissions; i += 1)
      await store.createPostureNonce({
        nonceHash: hashNonce(payload(i).nonce),
        userId: 'u1',
        deviceId: 'd1',
        createdAt: now,
        expiresAt: now + 3_600_000,
        usedAt: null,
      });
    const user = {
      id: 'u1',
      email: 'ada@example.test',
      displayName: 'Ada',
      status: 'active' as const,
      createdAt: now,
    };
    const caller = {
      user,
      thumbprint: key.thumbprint,
      clientId: 'bench',
      grantId: 'bench',
      scopes: new Set<string>(),
      srcIp: '127.0.0.1',
    };
    const deps = { store, now: () => now, options: parseApiOptions() };
    const stored = await perSecond(submissions, (i) => submitPostureReport(deps, caller, reports[i] ?? ''));

    console.log(
      `broker verification of a signed posture report (one core, ${String(count)} reports, ${String(reports[0]?.length)} bytes each; load average ${loadavg()[0]?.toFixed(1) ?? '?'})`,
    );
    console.log(`  bare ES256 verify (jose) baseline   ${rate(bare)}`);
    console.log(
      `  verifyPostureReport                 ${rate(full)}  (${(full.cpu / bare.cpu).toFixed(2)}x baseline per CPU-second)`,
    );
    console.log(
      `  goal >= 1000 /s on one core         ${full.cpu >= 1000 ? 'met' : 'NOT met'} (per CPU-second)`,
    );
    console.log(
      `  + nonce, store, audit (durable)     ${rate(stored)}  (${String(submissions)} submissions, one fsync'd commit each)`,
    );
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function timeChild(args: readonly string[]): { ms: number; stdout: string } {
  const started = performance.now();
  const child = spawnSync(process.execPath, [...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ms = performance.now() - started;
  if (child.status !== 0) throw new Error(`${args.join(' ')} exited with ${String(child.status)}`);
  return { ms, stdout: child.stdout };
}

function signedReportLatency(runs: number): void {
  const self = fileURLToPath(import.meta.url);
  timeChild(['-e', '0']);
  const first = timeChild([self, '--once']);
  const base: number[] = [];
  const checksOnly: number[] = [];
  const full: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    base.push(timeChild(['-e', '0']).ms);
    checksOnly.push(timeChild([self, '--once', '--unsigned']).ms);
    full.push(timeChild([self, '--once']).ms);
  }
  const b = median(base);
  const c = median(checksOnly);
  const f = median(full);
  console.log(`\nfull posture run to a signed report (fresh process, ${String(runs)} runs, median)`);
  console.log(`  node -e 0 baseline                  ${b.toFixed(0)} ms`);
  console.log(`  checks only (unsigned)              ${c.toFixed(0)} ms  (${(c / b).toFixed(2)}x baseline)`);
  console.log(
    `  checks + signed report              ${f.toFixed(0)} ms  (${(f / b).toFixed(2)}x baseline, +${(f - b).toFixed(0)} ms)`,
  );
  console.log(`  goal < 1500 ms                      ${f < 1500 ? 'met' : 'NOT met'}`);
  console.log(`  report                              ${first.stdout.trim().slice(0, 120)}`);
}

async function signOnce(): Promise<void> {
  const report = await runPostureChecks(createNodePostureHost());
  if (process.argv.includes('--unsigned')) {
    process.stdout.write(`${JSON.stringify({ checks: report.checks.length })}\n`);
    return;
  }
  const jws = await signPostureReport(await makeKey(), {
    deviceId: 'bench-device',
    nonce: 'bench-nonce-000000000000',
    iat: Math.floor(Date.now() / 1000),
    platform: report.platform,
    agentVersion: 'bench',
    checks: report.checks,
  });
  process.stdout.write(
    `${JSON.stringify({ bytes: jws.length, checks: report.checks.map((c) => `${c.id}:${c.status}`) })}\n`,
  );
}

if (process.argv.includes('--once')) {
  await signOnce();
} else {
  await verificationThroughput(arg('--reports', 3000));
  signedReportLatency(arg('--runs', 11));
}
