import { webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMemoryCredentialStore } from '../vault/createMemoryCredentialStore.js';
import { deviceKeyNamespace, loadSoftwareDeviceKey } from './loadSoftwareDeviceKey.js';

describe('loadSoftwareDeviceKey', () => {
  it('creates a P-256 key once, keeps it in the vault, and reloads the same key', async () => {
    const store = createMemoryCredentialStore();
    const first = await loadSoftwareDeviceKey(store, 'default');
    const second = await loadSoftwareDeviceKey(store, 'default');
    expect(first.protection).toBe('software');
    expect(second.thumbprint).toBe(first.thumbprint);
    expect(await store.list(deviceKeyNamespace('default'))).toEqual(['private_jwk']);
    expect(first.keyPair.privateKey.extractable).toBe(false);
  });

  it('signs ES256 signatures that verify under the public JWK', async () => {
    const key = await loadSoftwareDeviceKey(createMemoryCredentialStore(), 'default');
    const data = new TextEncoder().encode('proof');
    const signature = await key.sign(data);
    expect(signature.length).toBe(64);
    const pub = await webcrypto.subtle.importKey(
      'jwk',
      key.publicJwk,
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['verify'],
    );
    expect(await webcrypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, pub, signature, data)).toBe(
      true,
    );
  });

  it('gives separate profiles separate keys, and signing out of one keeps its device key', async () => {
    const store = createMemoryCredentialStore();
    const a = await loadSoftwareDeviceKey(store, 'a');
    const b = await loadSoftwareDeviceKey(store, 'b');
    expect(a.thumbprint).not.toBe(b.thumbprint);
    await store.clearProfile('a');
    expect((await loadSoftwareDeviceKey(store, 'a')).thumbprint).toBe(a.thumbprint);
  });

  it('computes the RFC 7638 thumbprint (example from §3.1 adapted to EC is checked against jose)', async () => {
    const { calculateJwkThumbprint } = await import('jose');
    const key = await loadSoftwareDeviceKey(createMemoryCredentialStore(), 'default');
    expect(key.thumbprint).toBe(await calculateJwkThumbprint(key.publicJwk, 'sha256'));
  });
});
