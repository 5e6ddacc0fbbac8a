import { calculateJwkThumbprint, compactVerify, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { NodeSigningKey } from './NodeSigningKey.js';

async function privateJwk(alg: 'ES256' | 'RS256'): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, alg, use: 'sig', kid: await calculateJwkThumbprint(jwk) };
}

/** What oidc-provider does with an ExternalSigningKey: header.payload signed, JWS compact form. */
async function signCompact(key: NodeSigningKey, payload: object): Promise<string> {
  const input = [
    Buffer.from(JSON.stringify({ alg: key.alg, kid: key.kid })).toString('base64url'),
    Buffer.from(JSON.stringify(payload)).toString('base64url'),
  ].join('.');
  const signature = await key.sign(Buffer.from(input));
  return `${input}.${Buffer.from(signature).toString('base64url')}`;
}

describe('NodeSigningKey', () => {
  for (const alg of ['ES256', 'RS256'] as const) {
    it(`${alg}: signs what jose verifies with the public JWK, and publishes the same public key`, async () => {
      const jwk = await privateJwk(alg);
      const key = new NodeSigningKey(jwk);
      expect([key.kid, key.alg, key.use, key.kty]).toEqual([jwk.kid, alg, 'sig', jwk.kty]);
      if (alg === 'ES256') expect([key.crv, key.x, key.y]).toEqual([jwk.crv, jwk.x, jwk.y]);
      else expect([key.n, key.e]).toEqual([jwk.n, jwk.e]);
      const token = await signCompact(key, { sub: 'someone' });
      // Verified with the public members only, as a client holding the broker's JWKS does.
      const publicJwk = Object.fromEntries(
        Object.entries(jwk).filter(([name]) => !['d', 'p', 'q', 'dp', 'dq', 'qi'].includes(name)),
      );
      const { payload, protectedHeader } = await compactVerify(token, await importJWK(publicJwk, alg));
      expect(JSON.parse(Buffer.from(payload).toString('utf8'))).toEqual({ sub: 'someone' });
      expect(protectedHeader.kid).toBe(jwk.kid);
    });
  }

  it('a signature does not verify under another key or for other bytes', async () => {
    const key = new NodeSigningKey(await privateJwk('ES256'));
    const other = await privateJwk('ES256');
    const token = await signCompact(key, { sub: 'someone' });
    await expect(
      compactVerify(token, await importJWK({ ...other, d: undefined }, 'ES256')),
    ).rejects.toThrow();
    const [header, , signature] = token.split('.');
    const forged = `${header}.${Buffer.from('{"sub":"admin"}').toString('base64url')}.${signature}`;
    await expect(compactVerify(forged, key.keyObject())).rejects.toThrow();
  });

  it('refuses a public-only JWK, a missing kid and an algorithm the broker does not sign with', async () => {
    const jwk = await privateJwk('ES256');
    expect(() => new NodeSigningKey({ ...jwk, d: undefined })).toThrow(/private JWK/);
    expect(() => new NodeSigningKey({ ...jwk, kid: undefined })).toThrow(/private JWK/);
    expect(() => new NodeSigningKey({ ...jwk, alg: 'ES384' })).toThrow(/private JWK/);
  });
});
