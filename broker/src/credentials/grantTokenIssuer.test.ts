import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { loadSigningKeys } from '../keys/loadSigningKeys.js';
import { openTempSqliteStore } from '../store/tempSqliteStore.js';
import { grantTokenIssuer, MAX_GRANT_TOKEN_MS } from './grantTokenIssuer.js';

const ISSUER = 'http://localhost:7700';

describe('grantTokenIssuer', () => {
  it('signs an at+jwt with the published ES256 key: iss, sub, aud, grants, cnf.jkt, 128-bit jti', async () => {
    const { store, dispose } = await openTempSqliteStore();
    try {
      const keys = await loadSigningKeys(store);
      const issue = grantTokenIssuer(keys, ISSUER);
      const now = Date.now();
      const issued = await issue({
        subject: 'u1',
        audience: 'https://models.test',
        grantIds: ['g1'],
        clientId: 'strongroom-cli',
        issuedAt: now,
        expiresAt: now + 10 * 60_000,
        jkt: 'thumb',
      });
      // What oidc-provider publishes at /jwks: the public halves.
      const published = keys.keys.map((k): JWK => ({
        kty: k.kty,
        crv: k.crv,
        x: k.x,
        y: k.y,
        n: k.n,
        e: k.e,
        kid: k.kid,
        alg: k.alg,
      }));
      const { payload, protectedHeader } = await jwtVerify(
        issued.token,
        createLocalJWKSet({ keys: published }),
        {
          issuer: ISSUER,
          audience: 'https://models.test',
          typ: 'at+jwt',
        },
      );
      expect(protectedHeader.alg).toBe('ES256');
      expect(payload).toMatchObject({
        sub: 'u1',
        grants: ['g1'],
        cnf: { jkt: 'thumb' },
        client_id: 'strongroom-cli',
      });
      expect(payload.jti).toBe(issued.jti);
      expect(Buffer.from(issued.jti, 'base64url')).toHaveLength(16);
      expect(payload.exp).toBe(Math.floor((now + 10 * 60_000) / 1000));
      expect(decodeProtectedHeader(issued.token).kid).toBe(keys.keys.find((k) => k.alg === 'ES256')?.kid);
    } finally {
      await dispose();
    }
  });

  it('refuses a lifetime past one hour, a non-positive one, and a token naming no grant', async () => {
    const { store, dispose } = await openTempSqliteStore();
    try {
      const issue = grantTokenIssuer(await loadSigningKeys(store), ISSUER);
      const base = { subject: 'u1', audience: 'a', grantIds: ['g1'], clientId: 'c', issuedAt: 1_000_000 };
      await expect(issue({ ...base, expiresAt: base.issuedAt + MAX_GRANT_TOKEN_MS + 1000 })).rejects.toThrow(
        /outside/,
      );
      await expect(issue({ ...base, expiresAt: base.issuedAt })).rejects.toThrow(/outside/);
      await expect(issue({ ...base, grantIds: [], expiresAt: base.issuedAt + 1000 })).rejects.toThrow(
        /names its grants/,
      );
    } finally {
      await dispose();
    }
  });
});
