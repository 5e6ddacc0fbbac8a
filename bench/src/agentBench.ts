import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { runStrongroom, STRONGROOM_BIN } from '@strongroom/cli/testing/runStrongroom.js';
import { AgentClient } from '@strongroom/shared/agent/AgentClient.js';
import { agentSocketPath } from '@strongroom/shared/agent/agentSocketPath.js';
import { LineFramer } from '@strongroom/shared/agent/LineFramer.js';
import { cacheServiceToken } from '@strongroom/shared/service-tokens/serviceTokenCache.js';
import { grantCredentialEntry } from '@strongroom/shared/vault/grantCredentialEntries.js';
import { signedInBenchProfile, sleep, startStrongroomAgent, underKeyring } from './benchAgent.js';
import { intArg } from './benchStats.js';

/**
 * The agent (issue 8): `strongroom agent` as its own process, signed in (a synthetic session in
 * gnome-keyring) with one active grant and a credential stored under it, following a broker
 * stand-in's event stream. Each figure beside a baseline from the same run:
 *
 * - idle resident memory of the agent 5 s and 30 s after it settled, vs an idle `node` process
 *   (goal < 80 MB);
 * - socket round trip of `status`, p50/p99 over one connection, vs a bare NDJSON echo server in
 *   this process (goal p99 < 5 ms);
 * - `strongroom status --json` through the agent, process start to exit, vs `node -e 0` (goal <= 2x);
 * - `strongroom git-credential get` through the agent (its service-token helper, the token held in
 *   its memory; the CLI gets no keychain, so an answer can only come from the socket), vs `node -e 0`
 *   (goal <= 2x). That agent is passingPostureAgent.ts (the same wiring with a passing posture
 *   report): the agent holds credentials back while posture fails, and this machine's checks fail.
 *
 *   node bench/dist/agentBench.js [--round-trips 2000] [--runs 15]
 *
 * The broker is a stand-in (discovery, grants, requests, an SSE stream that stays open): this
 * measures the agent, and the real broker needs a browser key touch to sign in. The posture checks
 * are this machine's real ones.
 */
const passingPostureAgent = fileURLToPath(new URL('./passingPostureAgent.js', import.meta.url));
const GIT_HOST = 'git.bench.internal';
const roundTrips = intArg('--round-trips', 2000);
const runs = intArg('--runs', 15);

const quantile = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};

/**
 * A bare NDJSON echo server over a Unix socket in its own Node process (as the agent is): the floor
 * for a local round trip between two processes on this machine right now.
 */
async function echoRoundTrips(dir: string, count: number): Promise<number[]> {
  const path = join(dir, 'echo.sock');
  const script = `require('net').createServer((s) => { let b = ''; s.on('data', (d) => { b += d; let i; while ((i = b.indexOf('\\n')) >= 0) { s.write(b.slice(0, i + 1)); b = b.slice(i + 1); } }); }).listen(${JSON.stringify(path)}, () => console.log('ready'));`;
  const server = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => server.stdout?.once('data', () => resolve()));
  const client = await new Promise<Socket>((resolve) => {
    const s = connect(path, () => resolve(s));
  });
  const framer = new LineFramer(256 * 1024);
  const times: number[] = [];
  for (let i = 0; i < count + 200; i++) {
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const onData = (chunk: Buffer): void => {
        if (framer.push(chunk).frames.length > 0) {
          client.off('data', onData);
          resolve();
        }
      };
      client.on('data', onData);
      client.write(`${JSON.stringify({ v: 1, id: i, method: 'status' })}\n`);
    });
    if (i >= 200) times.push(performance.now() - started); // the first 200 warm up
  }
  client.destroy();
  server.kill('SIGTERM');
  return times;
}

function rssKiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${String(pid)}/status`, 'utf8'));
  return Number(match?.[1] ?? 0);
}

function timeChild(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  check?: (stdout: string) => boolean,
  input?: string,
): number {
  const started = performance.now();
  const child = spawnSync(process.execPath, [...args], { env, encoding: 'utf8', input: input ?? '' });
  const ms = performance.now() - started;
  if (child.status !== 0)
    throw new Error(`${args.join(' ')} exited with ${String(child.status)}: ${child.stderr}`);
  if (check !== undefined && !check(child.stdout))
    throw new Error(`${args.join(' ')} did not go through the agent`);
  return ms;
}

async function bench(): Promise<void> {
  const grantId = randomUUID();
  const setup = await signedInBenchProfile('bench', grantId);
  const { env, profile, store } = setup;
  let agent: ChildProcess | undefined;
  let idle: ChildProcess | undefined;
  try {
    await store.set(
      profile,
      grantCredentialEntry(grantId, 'aws'),
      'bench-not-a-secret',
      Date.now() + 3_600_000,
    );
    // A git host mapped to a service, and a token for it cached under the grant (the stand-in has no
    // token endpoint): the agent reads it from the keychain once, then answers from memory.
    const mapped = await runStrongroom(['config', 'git-host', GIT_HOST, 'ml-git'], env);
    if (mapped.code !== 0) throw new Error(mapped.stderr);
    await cacheServiceToken(
      store,
      profile,
      'ml-git',
      {
        token: `bench-${randomBytes(32).toString('base64url')}`,
        tokenType: 'Bearer',
        audience: `https://${GIT_HOST}`,
        expiresAt: Date.now() + 3_600_000,
        grantId,
      },
      Date.now(),
    );

    agent = await startStrongroomAgent(env);
    const endpoint = agentSocketPath({
      platform: process.platform,
      env,
      uid: process.getuid?.(),
      tmpdir: tmpdir(),
    });
    const client = await AgentClient.connect(endpoint, process.getuid?.());
    if (client === undefined) throw new Error('no agent socket');
    // Signed in, one grant, the event stream open, the first posture run done: then idle.
    for (;;) {
      const s = await client.request('status');
      if (
        s.session.status === 'signedIn' &&
        s.grants.length === 1 &&
        s.connected &&
        s.posture.checkedAt !== null
      )
        break;
      await sleep(200);
    }
    await sleep(5_000);
    const agentRss = rssKiB(agent.pid ?? 0);
    // And once V8's memory reducer has run (it acts some seconds after the allocation rate drops).
    await sleep(25_000);
    const agentRssSettled = rssKiB(agent.pid ?? 0);
    idle = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 1e9)'], { stdio: 'ignore' });
    await sleep(1_000);
    const idleRss = rssKiB(idle.pid ?? 0);

    const agentTimes: number[] = [];
    for (let i = 0; i < 200; i++) await client.request('status'); // warm
    for (let i = 0; i < roundTrips; i++) {
      const started = performance.now();
      await client.request('status');
      agentTimes.push(performance.now() - started);
    }
    client.close();
    const echoTimes = await echoRoundTrips(setup.root, roundTrips);

    const cli = {
      'node -e 0': { args: ['-e', '0'] },
      'strongroom status --json (agent)': {
        args: [STRONGROOM_BIN, 'status', '--json'],
        check: (o: string) => o.includes('"agent"'),
      },
      'strongroom token (agent)': { args: [STRONGROOM_BIN, 'token'] },
    } as const;
    const times: Record<string, number[]> = {};
    for (const c of Object.values(cli)) timeChild(c.args, env);
    for (let run = 0; run < runs; run++)
      for (const [name, c] of Object.entries(cli))
        (times[name] ??= []).push(timeChild(c.args, env, 'check' in c ? c.check : undefined));

    // git-credential through an agent whose posture passes, on the same socket and keychain.
    const stopped = new Promise((resolve) => agent?.once('exit', resolve));
    agent.kill('SIGTERM');
    await stopped;
    const withToken = spawn(process.execPath, [passingPostureAgent], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    agent = withToken;
    await new Promise<void>((resolve, reject) => {
      withToken.stdout?.once('data', () => resolve());
      withToken.once('exit', () => reject(new Error('the benchmark agent exited')));
    });
    // A fresh agent serves a keychain copy only under a grant it lists (one that ended while it was
    // down must not be served), so wait for its first grant sync, as a user's shell would find it.
    const gitAgent = await AgentClient.connect(endpoint, process.getuid?.());
    if (gitAgent === undefined) throw new Error('no agent socket (git phase)');
    while ((await gitAgent.request('status')).grants.length !== 1) await sleep(100);
    gitAgent.close();
    // No keychain for the helper: its answer can only come through the socket.
    const gitEnv = { ...env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/strongroom-bench' };
    const git = [STRONGROOM_BIN, 'git-credential', 'get'];
    const gitAsk = `protocol=https\nhost=${GIT_HOST}\n\n`;
    const gitAnswered = (o: string): boolean => o.includes('password=bench-');
    timeChild(git, gitEnv, gitAnswered, gitAsk);
    for (let run = 0; run < runs; run++) {
      (times['node -e 0 (git phase)'] ??= []).push(timeChild(['-e', '0'], env));
      (times['strongroom git-credential get (agent)'] ??= []).push(
        timeChild(git, gitEnv, gitAnswered, gitAsk),
      );
    }

    const load = loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
    const mb = (kib: number) => (kib / 1024).toFixed(1);
    console.log(`agent benchmark (load average ${load} on ${String(availableParallelism())} cores)`);
    console.log(
      `  idle RSS, signed in, one grant: ${mb(agentRss)} MB 5 s after settling, ${mb(agentRssSettled)} MB after 30 s, vs idle node ${mb(idleRss)} MB (${(agentRss / idleRss).toFixed(2)}x; goal < 80 MB ${Math.max(agentRss, agentRssSettled) / 1024 < 80 ? 'met' : 'NOT met'})`,
    );
    const p50 = quantile(agentTimes, 0.5);
    const p99 = quantile(agentTimes, 0.99);
    const e50 = quantile(echoTimes, 0.5);
    const e99 = quantile(echoTimes, 0.99);
    console.log(
      `  socket round trip (status, ${String(roundTrips)}): p50 ${p50.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms vs bare NDJSON echo p50 ${e50.toFixed(3)} ms, p99 ${e99.toFixed(3)} ms (p99 ${(p99 / e99).toFixed(1)}x; goal p99 < 5 ms ${p99 < 5 ? 'met' : 'NOT met'})`,
    );
    const base = quantile(times['node -e 0'] ?? [], 0.5);
    console.log(`  node -e 0 baseline (median of ${String(runs)}): ${base.toFixed(0)} ms`);
    for (const name of ['strongroom status --json (agent)', 'strongroom token (agent)']) {
      const m = quantile(times[name] ?? [], 0.5);
      console.log(
        `  ${name}: ${m.toFixed(0)} ms (${(m / base).toFixed(2)}x baseline; goal <= 2x ${m / base <= 2 ? 'met' : 'NOT met'})`,
      );
    }
    const gitBase = quantile(times['node -e 0 (git phase)'] ?? [], 0.5);
    const gitMedian = quantile(times['strongroom git-credential get (agent)'] ?? [], 0.5);
    console.log(
      `  strongroom git-credential get (agent, token in its memory): ${gitMedian.toFixed(0)} ms vs node -e 0 ${gitBase.toFixed(0)} ms in the same loop (${(gitMedian / gitBase).toFixed(2)}x; goal <= 2x ${gitMedian / gitBase <= 2 ? 'met' : 'NOT met'})`,
    );
  } finally {
    agent?.kill('SIGTERM');
    idle?.kill('SIGTERM');
    await setup.close();
  }
}

await underKeyring(import.meta.url, bench);
