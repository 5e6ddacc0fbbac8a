import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessBroker, type InProcessBroker } from '../http/inProcessBroker.test-support.js';
import { openTempSqliteStore, type TempSqliteStore } from '../store/tempSqliteStore.js';
import { LazyTransaction } from './LazyTransaction.js';
import { mintRefreshToken } from './mintRefreshToken.test-support.js';
import { postToken, tokenDpopProof } from './refreshWithDpop.test-support.js';

const user = (id: string) => ({ id, email: `${id}@example.com`, displayName: id, createdAt: Date.now() });

describe('LazyTransaction', () => {
  let temp: TempSqliteStore;
  beforeAll(async () => {
    temp = await openTempSqliteStore();
  });
  afterAll(async () => temp?.dispose());

  it('commits what was written through it, and only when ended ok', async () => {
    const lazy = new LazyTransaction(temp.store);
    await (await lazy.ops()).createUser(user('lazy-ok'));
    await lazy.end({ ok: true });
    expect(await temp.store.getUser('lazy-ok')).toMatchObject({ id: 'lazy-ok' });
  });

  it('rolls everything back and rethrows when ended with an error', async () => {
    const lazy = new LazyTransaction(temp.store);
    const tx = await lazy.ops();
    await tx.createUser(user('lazy-a'));
    await tx.createUser(user('lazy-b'));
    const failure = new Error('handler failed');
    await expect(lazy.end({ ok: false, error: failure })).rejects.toBe(failure);
    expect(await temp.store.getUser('lazy-a')).toBeUndefined();
    expect(await temp.store.getUser('lazy-b')).toBeUndefined();
  });

  it('hands out its ops synchronously only while the transaction is open', async () => {
    const lazy = new LazyTransaction(temp.store);
    expect(lazy.ready()).toBeUndefined();
    const tx = await lazy.ops();
    expect(lazy.ready()).toBe(tx);
    await lazy.end({ ok: true });
    expect(lazy.ready()).toBeUndefined();
    // The settled transaction refuses use, so a late call cannot write outside any transaction.
    await expect(tx.createUser(user('lazy-late'))).rejects.toThrow();
    expect(await temp.store.getUser('lazy-late')).toBeUndefined();
  });

  it('begins nothing when never asked, and still reports a failure', async () => {
    await new LazyTransaction(temp.store).end({ ok: true });
    const failure = new Error('before any store call');
    await expect(new LazyTransaction(temp.store).end({ ok: false, error: failure })).rejects.toBe(failure);
  });
});

// The token request's transaction begins at its first store call, after the DPoP proof has been
// verified. The refresh token is still read, checked and consumed inside one transaction, so two
// requests racing with the same refresh token cannot both get tokens: the loser is a reuse, which
// revokes the whole grant (RFC 9700 §4.14.2), including the winner's new refresh token.
describe('token requests racing with one refresh token', () => {
  let broker: InProcessBroker;
  beforeAll(async () => {
    broker = await inProcessBroker();
    await broker.store.createUser(user('racer'));
  });
  afterAll(async () => broker?.close());

  it('gives tokens to at most one and revokes the grant', async () => {
    const key = await generateKeyPair('ES256');
    const jwk = await exportJWK(key.publicKey);
    const refreshToken = await mintRefreshToken(broker.provider, {
      accountId: 'racer',
      jkt: await calculateJwkThumbprint(jwk),
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    const post = async (token: string, nonce: string | undefined) =>
      postToken(
        broker,
        { grant_type: 'refresh_token', refresh_token: token },
        await tokenDpopProof(broker, key, { nonce }),
      );
    const first = await post(refreshToken, undefined);
    expect(first.body['error']).toBe('use_dpop_nonce');

    const results = await Promise.all(Array.from({ length: 4 }, () => post(refreshToken, first.nonce)));
    const winners = results.filter((r) => r.status === 200);
    expect(winners.length).toBeLessThanOrEqual(1);
    expect(results.filter((r) => r.status !== 200).every((r) => r.body['error'] === 'invalid_grant')).toBe(
      true,
    );

    // The reuse revoked the grant: the winner's rotated refresh token is dead too.
    const rotated = winners[0]?.body['refresh_token'];
    if (typeof rotated === 'string') {
      const after = await post(rotated, first.nonce);
      expect(after.status).toBe(400);
      expect(after.body['error']).toBe('invalid_grant');
    }
  });
});
