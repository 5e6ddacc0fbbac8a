import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Fastify from 'fastify';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
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
 *   node bench/dist/tokenBench.js [--seconds 8] [--chains 8]
 */
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i === -1 ? undefined : Number(process.argv[i + 1]);
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
};
const SECONDS = arg('seconds', 8);
const CHAINS = arg('chains', 8);

interface DpopKey {
  privateKey: CryptoKey;
  jwk: JWK;
}

async function newKey(): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { privateKey, jwk: await exportJWK(publicKey) };
}

function proof(key: DpopKey, htu: string, nonce: string | undefined): Promise<string> {
  return new SignJWT({
    htm: 'POST',
    htu,
    jti: randomUUID(),
    iat: Math.floor(Date.now() / 1000),
    ...(nonce ? { nonce } : {}),
  })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk })
    .sign(key.privateKey);
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

interface Result {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

/** Runs `chains` sequential request chains for `seconds`; each chain awaits its previous response. */
async function drive(chains: (() => Promise<boolean>)[], seconds: number): Promise<Result> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
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
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    perSecond: latencies.length / elapsed,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    errors,
  };
}

async function brokerChains(
  issuer: string,
  url: string,
  mint: (key: DpopKey) => Promise<string>,
): Promise<(() => Promise<boolean>)[]> {
  // htu names the issuer's token endpoint (RFC 9449 §4.2); the socket is the loopback address.
  const htu = `${issuer}/token`;
  return Promise.all(
    Array.from({ length: CHAINS }, async () => {
      const key = await newKey();
      let refreshToken = await mint(key);
      let nonce: string | undefined;
      return async () => {
        for (let attempt = 0; attempt < 2; attempt += 1) {
          const res = await fetch(url, {
            method: 'POST',
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              dpop: await proof(key, htu, nonce),
            },
            body: new URLSearchParams({
              grant_type: 'refresh_token',
              refresh_token: refreshToken,
              client_id: 'strongroom-cli',
            }),
          });
          nonce = res.headers.get('dpop-nonce') ?? nonce;
          const body = (await res.json()) as { refresh_token?: string; error?: string };
          if (res.ok && body.refresh_token) {
            refreshToken = body.refresh_token;
            return true;
          }
          if (body.error !== 'use_dpop_nonce')
            throw new Error(`refresh failed: ${res.status} ${JSON.stringify(body)}`);
        }
        return false;
      };
    }),
  );
}

async function main(): Promise<void> {
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
  const barePort = typeof bareAddress === 'object' && bareAddress ? bareAddress.port : 0;

  // The broker needs its port before it starts (the issuer is part of every token and DPoP htu).
  const probe = Fastify();
  await probe.listen({ host: '127.0.0.1', port: 0 });
  const probeAddress = probe.server.address();
  const port = typeof probeAddress === 'object' && probeAddress ? probeAddress.port : 0;
  await probe.close();
  const config = loadBrokerConfig({ port, dataDir });
  const { app, provider } = await createBrokerServer({ config, store, makeAdapter: (s) => oidcAdapter(s) });
  await app.listen({ host: '127.0.0.1', port });
  const tokenUrl = `${config.issuer}/token`;

  const nowSeconds = Math.floor(Date.now() / 1000);
  await store.createUser({
    id: 'bench-user',
    email: 'bench@example.com',
    displayName: 'Bench',
    createdAt: Date.now(),
  });
  const mint = async (key: DpopKey): Promise<string> =>
    mintRefreshToken(provider, {
      accountId: 'bench-user',
      jkt: await calculateJwkThumbprint(key.jwk),
      nowSeconds,
    });

  const bareKeyUrl = `http://127.0.0.1:${barePort}/bare`;
  const bareChains = await Promise.all(
    Array.from({ length: CHAINS }, async () => {
      const key = await newKey();
      return async () => {
        const res = await fetch(bareKeyUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            dpop: await proof(key, bareKeyUrl, undefined),
          },
          body: new URLSearchParams({
            grant_type: 'refresh_token',
            refresh_token: 'x'.repeat(43),
            client_id: 'strongroom-cli',
          }),
        });
        await res.json();
        return res.ok;
      };
    }),
  );

  // Warm up both (JIT, SQLite page cache), then measure the baseline and the broker back to back.
  const warm = await brokerChains(config.issuer, tokenUrl, mint);
  await drive(warm, 1);
  await drive(bareChains, 1);
  const baseline = await drive(bareChains, SECONDS);
  const token = await drive(await brokerChains(config.issuer, tokenUrl, mint), SECONDS);

  const line = (name: string, r: Result) =>
    `${name.padEnd(34)} ${r.perSecond.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  (${r.requests} requests, ${r.errors} failed)`;
  process.stdout.write(
    `token endpoint benchmark: ${CHAINS} concurrent refresh chains, ${SECONDS} s each, 1 process\n`,
  );
  process.stdout.write(`${line('bare Fastify route (baseline)', baseline)}\n`);
  process.stdout.write(`${line('refresh grant + DPoP (SQLite)', token)}\n`);
  process.stdout.write(
    `ratio: ${(token.perSecond / baseline.perSecond).toFixed(2)}x baseline throughput, p99 ${(token.p99 / Math.max(baseline.p99, 0.001)).toFixed(1)}x; ` +
      `goal >= 500 req/s and p99 < 50 ms: ${token.perSecond >= 500 && token.p99 < 50 ? 'met' : 'NOT met'}\n`,
  );
  await app.close();
  await bare.close();
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
}

await main();
