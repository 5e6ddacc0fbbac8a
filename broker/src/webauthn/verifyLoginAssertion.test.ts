import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../store/SqliteStore.js';
import type { Store } from '../store/Store.js';
import { relyingPartyFor } from './relyingParty.js';
import { makeSoftAuthenticator, type SoftAuthenticator } from './softAuthenticator.test-support.js';
import { verifyLoginAssertion } from './verifyLoginAssertion.js';

// Crafted assertions a browser would refuse to make, checked with real crypto against a real store.
describe('verifyLoginAssertion', () => {
  const rp = relyingPartyFor('http://localhost:7700');
  const challenge = Buffer.from('a-challenge-of-sufficient-length').toString('base64url');
  let store: Store;
  let key: SoftAuthenticator;

  beforeAll(async () => {
    store = await openSqliteStore(await mkdtemp(join(tmpdir(), 'strongroom-webauthn-')));
    key = makeSoftAuthenticator();
    await store.createUser({ id: 'u1', email: 'u1@example.com', displayName: 'U1', createdAt: 1 });
    await store.addCredential({
      id: key.credentialId,
      userId: 'u1',
      publicKey: key.cosePublicKey,
      counter: 5,
      transports: ['usb'],
      aaguid: '00000000-0000-0000-0000-000000000000',
      backedUp: false,
      createdAt: 1,
      lastUsedAt: null,
    });
  });
  afterAll(async () => store?.close());

  const good = { challenge, origin: 'http://localhost:7700', rpId: 'localhost', counter: 6 };

  it('accepts a correct assertion with a forward-moving counter', async () => {
    const result = await verifyLoginAssertion(store, rp, challenge, key.assert(good));
    expect(result).toMatchObject({ ok: true, newCounter: 6 });
  });

  it.each([
    ['wrong origin', { origin: 'http://evil.example' }],
    ['wrong RP ID', { rpId: 'evil.example' }],
    ['another challenge', { challenge: Buffer.from('another-challenge-value').toString('base64url') }],
    ['no user verification', { userVerified: false }],
    ['a registration-type client data', { type: 'webauthn.create' }],
  ])('refuses an assertion with %s', async (_name, change) => {
    const result = await verifyLoginAssertion(store, rp, challenge, key.assert({ ...good, ...change }));
    expect(result).toMatchObject({ ok: false, reason: 'assertion_invalid' });
  });

  it('refuses a counter that did not move forward (cloned key), only after the signature checks out', async () => {
    for (const counter of [5, 4, 1]) {
      const result = await verifyLoginAssertion(store, rp, challenge, key.assert({ ...good, counter }));
      expect(result).toMatchObject({ ok: false, reason: 'counter_regression', userId: 'u1' });
    }
    const forged = key.assert({ ...good, counter: 1 });
    forged.response.signature = makeSoftAuthenticator().assert({ ...good, counter: 1 }).response.signature;
    expect(await verifyLoginAssertion(store, rp, challenge, forged)).toMatchObject({
      ok: false,
      reason: 'assertion_invalid',
    });
  });

  it('refuses a credential the broker never registered', async () => {
    const stranger = makeSoftAuthenticator();
    expect(await verifyLoginAssertion(store, rp, challenge, stranger.assert(good))).toMatchObject({
      ok: false,
      reason: 'unknown_credential',
    });
  });

  it('refuses a locked user (user_locked, only for a valid assertion) and a disabled one', async () => {
    await store.setUserStatus('u1', 'locked');
    try {
      const result = await verifyLoginAssertion(store, rp, challenge, key.assert({ ...good, counter: 50 }));
      expect(result).toMatchObject({ ok: false, reason: 'user_locked' });
      // Someone without the key learns nothing about the account's state.
      const forged = await verifyLoginAssertion(
        store,
        rp,
        challenge,
        key.assert({ ...good, challenge: 'other', counter: 51 }),
      );
      expect(forged).toMatchObject({ ok: false, reason: 'assertion_invalid' });
      await store.setUserStatus('u1', 'disabled');
      const disabled = await verifyLoginAssertion(store, rp, challenge, key.assert({ ...good, counter: 52 }));
      expect(disabled).toMatchObject({ ok: false, reason: 'user_inactive' });
    } finally {
      await store.setUserStatus('u1', 'active');
    }
  });
});
