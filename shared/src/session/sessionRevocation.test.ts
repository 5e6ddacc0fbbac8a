import { describe, expect, it } from 'vitest';
import { createMemoryCredentialStore } from '../vault/createMemoryCredentialStore.js';
import { deviceKeyNamespace } from '../device/loadSoftwareDeviceKey.js';
import { sessionRevocationFor, wipeRevokedSession } from './sessionRevocation.js';

const event = (data: Record<string, unknown>, type = 'session.revoked') => ({ id: 1, type, time: 0, data });

describe('session.revoked', () => {
  it('a lock of the person ends every client’s session; a device lock only that device’s', () => {
    expect(
      sessionRevocationFor(event({ scope: 'user', reason: 'locked: volume', lockId: 'L' }), 'tp-mine'),
    ).toEqual({
      reason: 'locked: volume',
      scope: 'user',
      lockId: 'L',
    });
    expect(
      sessionRevocationFor(event({ scope: 'device', thumbprint: 'tp-other' }), 'tp-mine'),
    ).toBeUndefined();
    expect(sessionRevocationFor(event({ scope: 'device', thumbprint: 'tp-mine' }), 'tp-mine')?.scope).toBe(
      'device',
    );
    expect(sessionRevocationFor(event({ scope: 'user' }, 'grant.ended'), 'tp-mine')).toBeUndefined();
  });

  it('wiping deletes the profile’s tokens and keeps the device key', async () => {
    const store = createMemoryCredentialStore();
    await store.set('work', 'refresh_token', 'rt', Date.now() + 60_000);
    await store.set('work', 'access_token', 'at', Date.now() + 60_000);
    await store.set(deviceKeyNamespace('work'), 'private_jwk', '{}', null);
    await wipeRevokedSession(store, 'work');
    expect(await store.list('work')).toEqual([]);
    expect(await store.get(deviceKeyNamespace('work'), 'private_jwk')).toBe('{}');
  });
});
