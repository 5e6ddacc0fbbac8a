import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { apiProofKeys, verifyDpopProof } from './verifyDpopProof.js';

const URL_ = new URL('https://broker.example/api/v1/me');
const ACCESS_TOKEN = 'access-token-value';
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

interface Key {
  privateKey: KeyObject;
  jwk: JWK;
  alg: 'ES256' | 'EdDSA';
}

function makeKey(alg: 'ES256' | 'EdDSA'): Key {
  const { privateKey, publicKey } =
    alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  return { privateKey, jwk: publicKey.export({ format: 'jwk' }) as JWK, alg };
}

/** A proof with the header `jwk` and `alg` given separately from the key that signs it. */
function proof(
  signer: Key,
  options: { headerJwk?: JWK; headerAlg?: string; claims?: Record<string, unknown> } = {},
): string {
  const header = b64({
    typ: 'dpop+jwt',
    alg: options.headerAlg ?? signer.alg,
    jwk: options.headerJwk ?? signer.jwk,
  });
  const payload = b64({
    htm: 'GET',
    htu: URL_.href,
    jti: randomUUID(),
    iat: Math.floor(Date.now() / 1000),
    ath: createHash('sha256').update(ACCESS_TOKEN).digest('base64url'),
    ...options.claims,
  });
  const input = Buffer.from(`${header}.${payload}`);
  const signature =
    signer.alg === 'ES256'
      ? sign('sha256', input, { key: signer.privateKey, dsaEncoding: 'ieee-p1363' })
      : sign(null, input, signer.privateKey);
  return `${header}.${payload}.${signature.toString('base64url')}`;
}

const verify = (p: string) =>
  verifyDpopProof({
    proof: p,
    method: 'GET',
    url: URL_,
    accessToken: ACCESS_TOKEN,
    iatWindowSeconds: 60,
    now: Date.now,
  });

describe('verifyDpopProof with remembered proof keys', () => {
  it('verifies every proof of a key, imports the key once, and gives each key its own thumbprint', async () => {
    const a = makeKey('ES256');
    const b = makeKey('EdDSA');
    const before = apiProofKeys.size.keys;
    for (let i = 0; i < 3; i += 1) {
      await expect(verify(proof(a))).resolves.toMatchObject({
        thumbprint: await calculateJwkThumbprint(a.jwk),
      });
      await expect(verify(proof(b))).resolves.toMatchObject({
        thumbprint: await calculateJwkThumbprint(b.jwk),
      });
    }
    expect(apiProofKeys.size.keys - before).toBe(2);
  });

  it('still checks every signature once the header key is remembered', async () => {
    const victim = makeKey('ES256');
    const attacker = makeKey('ES256');
    await verify(proof(victim)); // the victim's key is now cached
    // The victim's public key in the header, the attacker's signature.
    await expect(verify(proof(attacker, { headerJwk: victim.jwk }))).rejects.toMatchObject({
      code: 'invalid_dpop_proof',
    });
    // A valid proof whose payload was changed after signing.
    const [h, , s] = proof(victim).split('.');
    const forged = `${h}.${b64({ htm: 'GET', htu: URL_.href, jti: randomUUID(), iat: Math.floor(Date.now() / 1000) })}.${s}`;
    await expect(verify(forged)).rejects.toMatchObject({ code: 'invalid_dpop_proof' });
    // A signature cut short or swapped for another proof's.
    const good = proof(victim);
    await expect(verify(good.slice(0, -4))).rejects.toMatchObject({ code: 'invalid_dpop_proof' });
    const other = proof(victim).split('.')[2];
    await expect(verify(`${good.split('.').slice(0, 2).join('.')}.${other}`)).rejects.toMatchObject({
      code: 'invalid_dpop_proof',
    });
  });

  it('does not reuse a remembered key under another alg', async () => {
    const ec = makeKey('ES256');
    const ed = makeKey('EdDSA');
    await verify(proof(ec));
    await verify(proof(ed));
    // The EC key's JWK under alg EdDSA (signed with the Ed25519 key) and the reverse: both refused.
    await expect(verify(proof(ed, { headerJwk: ec.jwk, headerAlg: 'EdDSA' }))).rejects.toMatchObject({
      code: 'invalid_dpop_proof',
    });
    await expect(verify(proof(ec, { headerJwk: ed.jwk, headerAlg: 'ES256' }))).rejects.toMatchObject({
      code: 'invalid_dpop_proof',
    });
  });
});
