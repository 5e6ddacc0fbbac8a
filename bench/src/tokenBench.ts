import { fork, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { loadBrokerConfig } from '@strongroom/broker/config/loadBrokerConfig.js';
import { createBrokerServer } from '@strongroom/broker/http/createBrokerServer.js';
import { mintRefreshToken } from '@strongroom/broker/oidc/mintRefreshToken.test-support.js';
import { oidcAdapter } from '@strongroom/broker/store/oidcAdapter.js';
import { openSqliteStore } from '@strongroom/broker/store/SqliteStore.js';

/**
 * Token endpoint throughput: the refresh grant with DPoP (rotation, replay check, session check,
 * audit record with durable commit) against the real broker on SQLite, over a loopback socket,
 * next to a bare Fastify route driven by the same client in the same run (the baseline).
 * Goal (issue 2): at least 500 refreshes/s with p99 under 50 ms on the 2-core machine.
 *
 * The servers run in this process; the load generator (ES256 proof signing, HTTP client) runs in a
 * forked child with its own event loop, so it does not steal the servers' loop. Server CPU time per
 * request is this process's CPU time (process.cpuUsage, all threads) over the requests served.
 * Profile the server side with `node --cpu-prof bench/dist/tokenBench.js` (the child is not profiled).
 *
 *   node bench/dist/tokenBench.js [--seconds 8] [--chains 8]
 */
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i === -1 ? undefined : Number(process.argv[i + 1]);
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
};
const SECONDS = arg('seconds', 8);
const CHAINS = arg('chains', 8);

interface Result {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
  /** The load generator's own CPU time per request (to tell a client-bound run from a server-bound one). */
  clientCpuMsPerRequest: number;
}

/** What the server process asks the load generator to do. */
type ToClient =
  | { type: 'keys'; count: number }
  | { type: 'tokens'; tokens: string[] }
  | { type: 'run'; target: 'bare' | 'token'; url: string; htu: string; seconds: number };
type ToServer = { type: 'keys'; jwks: JWK[] } | { type: 'result'; result: Result } | { type: 'ready' };

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

// ---------------------------------------------------------------- load generator (child process)

interface DpopKey {
  privateKey: KeyObject;
  jwk: JWK;
}

const b64url = (value: string): string => Buffer.from(value).toString('base64url');

/**
 * A DPoP proof (RFC 9449 §4.2) signed with node:crypto directly (ES256, JWS's raw r||s form):
 * the same bytes jose would produce, at a fraction of WebCrypto's cost, so the load generator's
 * own CPU does not cap the baseline.
 */
function proof(key: DpopKey, htu: string, nonce: string | undefined): string {
  const header = b64url(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk }));
  const payload = b64url(
    JSON.stringify({
      htm: 'POST',
      htu,
      jti: randomUUID(),
      iat: Math.floor(Date.now() / 1000),
      ...(nonce ? { nonce } : {}),
    }),
  );
  const input = `${header}.${payload}`;
  const signature = sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

/** Runs each chain sequentially for `seconds` (each awaits its previous response), all concurrently. */
async function drive(chains: (() => Promise<boolean>)[], seconds: number): Promise<Result> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    chains.map(async (step) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const ok = await step();
        latencies.push(performance.now() - t0);
        if (!ok) errors += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    perSecond: latencies.length / elapsed,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    errors,
    clientCpuMsPerRequest: (cpu.user + cpu.system) / 1000 / Math.max(latencies.length, 1),
  };
}

// node:http with keep-alive rather than fetch (undici): it costs the load generator about half the CPU.
const agent = new Agent({ keepAlive: true });

function postForm(
  url: string,
  dpop: string,
  body: string,
): Promise<{ status: number; nonce: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': Buffer.byteLength(body),
        dpop,
      },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const nonce = res.headers['dpop-nonce'];
        resolve({
          status: res.statusCode ?? 0,
          nonce: typeof nonce === 'string' ? nonce : undefined,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    req.end(body);
  });
}

const form = (refreshToken: string): string =>
  new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: 'strongroom-cli',
  }).toString();

/**
 * One refresh chain: each request presents the refresh token from the previous response with a
 * fresh proof carrying the latest server nonce (RFC 9449 §8); a `use_dpop_nonce` answer is retried
 * once with the new nonce, as a real client does. Rotation is real: a stale token would be reuse.
 */
function refreshChain(key: DpopKey, first: string, url: string, htu: string): () => Promise<boolean> {
  let refreshToken = first;
  let nonce: string | undefined;
  return async () => {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const res = await postForm(url, proof(key, htu, nonce), form(refreshToken));
      nonce = res.nonce ?? nonce;
      const body = JSON.parse(res.body) as { refresh_token?: string; error?: string };
      if (res.status === 200 && body.refresh_token) {
        refreshToken = body.refresh_token;
        return true;
      }
      if (body.error !== 'use_dpop_nonce')
        throw new Error(`refresh failed: ${res.status} ${body.error ?? ''}`);
    }
    return false;
  };
}

/** The baseline: the same request shape (form body, DPoP header signed per request) to a bare route. */
function bareChain(key: DpopKey, url: string): () => Promise<boolean> {
  return async () => {
    const res = await postForm(url, proof(key, url, undefined), form('x'.repeat(43)));
    JSON.parse(res.body);
    return res.status === 200;
  };
}

async function loadGenerator(): Promise<void> {
  const send = (message: ToServer): void => {
    process.send?.(message);
  };
  let keys: DpopKey[] = [];
  let tokenChains: (() => Promise<boolean>)[] | undefined;
  let tokens: string[] = [];
  process.on('message', (raw) => {
    const message = raw as ToClient;
    void (async () => {
      if (message.type === 'keys') {
        // DPoP keys are made before any measurement (a device makes its key once, at sign-in).
        keys = Array.from({ length: message.count }, () => {
          const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
          const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
          return { privateKey, jwk: { kty, crv, x, y } };
        });
        send({ type: 'keys', jwks: keys.map((k) => k.jwk) });
      } else if (message.type === 'tokens') {
        tokens = message.tokens;
        send({ type: 'ready' });
      } else if (message.target === 'bare') {
        send({
          type: 'result',
          result: await drive(
            keys.map((k) => bareChain(k, message.url)),
            message.seconds,
          ),
        });
      } else {
        // The chains live across runs (warm-up, then measurement), each continuing its own rotation.
        tokenChains ??= keys.map((k, i) => refreshChain(k, tokens[i] ?? '', message.url, message.htu));
        send({ type: 'result', result: await drive(tokenChains, message.seconds) });
      }
    })().catch((error: unknown) => {
      process.stderr.write(`load generator: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
  });
  process.on('disconnect', () => process.exit(0));
}

// ---------------------------------------------------------------- servers (this process)

interface ServerResult extends Result {
  /** This process's CPU time (user + system, every thread) per request served. */
  cpuMsPerRequest: number;
  /** The kernel's share of it (syscalls: socket I/O, fsync). */
  systemCpuMsPerRequest: number;
  /**
   * How long this process's event loop was busy per request (performance.eventLoopUtilization):
   * its CPU on the main thread plus any time it stood still in a blocking call (an fsync inside a
   * synchronous COMMIT counts here, not in CPU time). The loop is the broker's bottleneck.
   */
  loopBusyMsPerRequest: number;
}

class LoadGenerator {
  readonly #child: ChildProcess;
  #waiting: ((message: ToServer) => void) | undefined;

  constructor() {
    // execArgv [] keeps --cpu-prof and friends off the child: only the server side is profiled.
    this.#child = fork(fileURLToPath(import.meta.url), ['--load-generator'], { execArgv: [] });
    this.#child.on('message', (message) => this.#waiting?.(message as ToServer));
    this.#child.on('exit', (code) => {
      if (code !== 0 && code !== null) {
        process.stderr.write(`load generator exited with ${code}\n`);
        process.exit(1);
      }
    });
  }

  ask(message: ToClient): Promise<ToServer> {
    return new Promise((resolve) => {
      this.#waiting = resolve;
      this.#child.send(message);
    });
  }

  /** Runs one measurement; returns the client's view and this (server) process's CPU time. */
  async run(message: ToClient & { type: 'run' }): Promise<ServerResult> {
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const answer = await this.ask(message);
    const elu = performance.eventLoopUtilization(elu0);
    const cpu = process.cpuUsage(cpu0);
    if (answer.type !== 'result') throw new Error('load generator answered out of turn');
    const perRequest = (micros: number): number => micros / 1000 / Math.max(answer.result.requests, 1);
    return {
      ...answer.result,
      cpuMsPerRequest: perRequest(cpu.user + cpu.system),
      systemCpuMsPerRequest: perRequest(cpu.system),
      loopBusyMsPerRequest: elu.active / Math.max(answer.result.requests, 1),
    };
  }

  stop(): void {
    this.#child.disconnect();
  }
}

async function servers(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'strongroom-tokenbench-'));
  const store = await openSqliteStore(dataDir);
  const bare = Fastify();
  // Parse the same form body the token endpoint gets, so the baseline does comparable HTTP work.
  bare.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );
  bare.post('/bare', async () => ({ ok: true }));
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const bareAddress = bare.server.address();
  const bareUrl = `http://127.0.0.1:${typeof bareAddress === 'object' && bareAddress ? bareAddress.port : 0}/bare`;

  // The broker needs its port before it starts (the issuer is part of every token and DPoP htu).
  const probe = Fastify();
  await probe.listen({ host: '127.0.0.1', port: 0 });
  const probeAddress = probe.server.address();
  const port = typeof probeAddress === 'object' && probeAddress ? probeAddress.port : 0;
  await probe.close();
  const config = loadBrokerConfig({ port, dataDir });
  const { app, provider } = await createBrokerServer({ config, store, makeAdapter: (s) => oidcAdapter(s) });
  await app.listen({ host: '127.0.0.1', port });
  // htu names the issuer's token endpoint (RFC 9449 §4.2), which oidc-provider derives from the Host.
  const htu = `${config.issuer}/token`;
  const tokenUrl = htu;

  await store.createUser({
    id: 'bench-user',
    email: 'bench@example.com',
    displayName: 'Bench',
    createdAt: Date.now(),
  });
  const client = new LoadGenerator();
  const keys = await client.ask({ type: 'keys', count: CHAINS });
  if (keys.type !== 'keys') throw new Error('load generator answered out of turn');
  const nowSeconds = Math.floor(Date.now() / 1000);
  const tokens = await Promise.all(
    keys.jwks.map(async (jwk) =>
      mintRefreshToken(provider, {
        accountId: 'bench-user',
        jkt: await calculateJwkThumbprint(jwk),
        nowSeconds,
      }),
    ),
  );
  await client.ask({ type: 'tokens', tokens });

  // The machine is shared: the load average goes with every number (before and after the runs).
  const loadBefore = loadavg();
  // Warm up both (JIT, SQLite page cache), then measure the baseline and the broker back to back.
  await client.run({ type: 'run', target: 'token', url: tokenUrl, htu, seconds: 1 });
  await client.run({ type: 'run', target: 'bare', url: bareUrl, htu: bareUrl, seconds: 1 });
  const baseline = await client.run({
    type: 'run',
    target: 'bare',
    url: bareUrl,
    htu: bareUrl,
    seconds: SECONDS,
  });
  const token = await client.run({ type: 'run', target: 'token', url: tokenUrl, htu, seconds: SECONDS });
  client.stop();

  const line = (name: string, r: ServerResult) =>
    `${name.padEnd(34)} ${r.perSecond.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  ` +
    `server CPU ${r.cpuMsPerRequest.toFixed(2)} ms/req (${r.systemCpuMsPerRequest.toFixed(2)} system; client ${r.clientCpuMsPerRequest.toFixed(2)}), ` +
    `event loop busy ${r.loopBusyMsPerRequest.toFixed(2)} ms/req  (${r.requests} requests, ${r.errors} failed)`;
  process.stdout.write(
    `token endpoint benchmark: ${CHAINS} concurrent chains, ${SECONDS} s each; servers in this process, ` +
      `load generator in a child process; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} ` +
      `before, ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} after\n`,
  );
  process.stdout.write(`${line('bare Fastify route (baseline)', baseline)}\n`);
  process.stdout.write(`${line('refresh grant + DPoP (SQLite)', token)}\n`);
  process.stdout.write(
    `ratio: ${(token.perSecond / baseline.perSecond).toFixed(2)}x baseline throughput, p99 ${(token.p99 / Math.max(baseline.p99, 0.001)).toFixed(1)}x, ` +
      `server CPU ${(token.cpuMsPerRequest / Math.max(baseline.cpuMsPerRequest, 0.001)).toFixed(1)}x; ` +
      `goal >= 500 req/s and p99 < 50 ms: ${token.perSecond >= 500 && token.p99 < 50 ? 'met' : 'NOT met'}\n`,
  );
  await app.close();
  await bare.close();
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
}

if (process.argv.includes('--load-generator')) await loadGenerator();
else await servers();
