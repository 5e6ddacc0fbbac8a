import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createServiceTokenVerifier } from '@strongroom/shared/service-auth/createServiceTokenVerifier.js';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
} from 'jose';
import { intArg } from './benchStats.js';

/**
 * What the shared service-token verifier costs a resource service per request, against a bare
 * `jwtVerify` of the same token with a local key set, in the same process and run:
 * - baseline: jose `jwtVerify` (ES256 signature, iss/aud/exp) with the key in memory;
 * - Bearer: `createServiceTokenVerifier.verify` (JWKS from a 127.0.0.1 stand-in for the broker,
 *   fetched once and cached; denylist refreshed every 10 s, so cached in between);
 * - DPoP: the same for a bound token with a fresh proof per request (a second ES256 verify, the
 *   key thumbprint, the replay cache); proofs are made before the clock starts.
 *
 *   node bench/dist/serviceTokenBench.js [--requests 3000]
 */
const N = intArg('--requests', 3000);
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
console.log(`load average at start ${load()} (1/5/15 min), ${N} verifications per row`);

const broker = await generateKeyPair('ES256', { extractable: true });
const device = await generateKeyPair('ES256', { extractable: true });
const jwk = { ...(await exportJWK(broker.publicKey)), alg: 'ES256', kid: 'k1' };
const deviceJwk = await exportJWK(device.publicKey);
const jkt = await calculateJwkThumbprint(deviceJwk);
const server = createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(
    req.url === '/jwks'
      ? JSON.stringify({ keys: [jwk] })
      : JSON.stringify({ generatedAt: Date.now(), revoked: [] }),
  );
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const audience = 'https://model-registry.ml.internal';
const url = `${audience}/v1/models`;

const token = (cnf?: string) =>
  new SignJWT({ grants: ['g1'], client_id: 'strongroom-cli', ...(cnf ? { cnf: { jkt: cnf } } : {}) })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' })
    .setIssuer(issuer)
    .setSubject('alice')
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('10m')
    .setJti(randomUUID())
    .sign(broker.privateKey);
const bearer = await token();
const bound = await token(jkt);
const proofs = await Promise.all(
  Array.from({ length: N + 1 }, () =>
    new SignJWT({
      htm: 'GET',
      htu: url,
      jti: randomUUID(),
      ath: createHash('sha256').update(bound).digest('base64url'),
    })
      .setIssuedAt()
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: deviceJwk })
      .sign(device.privateKey),
  ),
);

async function rate(one: (i: number) => Promise<boolean>): Promise<number> {
  if (!(await one(N))) throw new Error('warm-up verification failed');
  const start = performance.now();
  for (let i = 0; i < N; i++) if (!(await one(i))) throw new Error(`verification ${i} failed`);
  return (N / (performance.now() - start)) * 1000;
}

const keys = createLocalJWKSet({ keys: [jwk] });
const verifier = createServiceTokenVerifier({ issuer, audience });
const rows = {
  baseline: async () => {
    await jwtVerify(bearer, keys, { issuer, audience, algorithms: ['ES256'], typ: 'at+jwt' });
    return true;
  },
  bearer: async () =>
    (await verifier.verify({ authorization: `Bearer ${bearer}`, dpop: undefined, method: 'GET', url })).ok,
};
// Two rounds, the second reported: the first warms the JIT for every row alike.
let baseline = 0;
let bearerRate = 0;
for (let round = 0; round < 2; round++) {
  baseline = await rate(rows.baseline);
  bearerRate = await rate(rows.bearer);
}
// Proofs are single use: one round over fresh proofs, after the rounds above warmed the code.
const dpopRate = await rate(
  async (i) =>
    (await verifier.verify({ authorization: `DPoP ${bound}`, dpop: proofs[i], method: 'GET', url })).ok,
);
server.close();

const row = (name: string, perSecond: number): string =>
  `| ${name} | ${perSecond.toFixed(0)}/s | ${(1000 / perSecond).toFixed(3)} ms | ${(perSecond / baseline).toFixed(2)}x |`;
console.log('| verification | rate | per request | vs bare jwtVerify |');
console.log('| --- | --- | --- | --- |');
console.log(row('bare jose jwtVerify (baseline)', baseline));
console.log(row('verifier, Bearer token', bearerRate));
console.log(row('verifier, DPoP-bound token + proof', dpopRate));
console.log(`load average at end ${load()}`);
