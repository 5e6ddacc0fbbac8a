import { describe, expect, it } from 'vitest';
import { createMemoryCredentialStore } from '../vault/createMemoryCredentialStore.js';
import { wipeGrantCredentials } from '../vault/grantCredentialEntries.js';
import type { ServiceToken } from './ServiceToken.js';
import {
  cacheServiceToken,
  eraseServiceToken,
  readCachedServiceToken,
  serviceTokenRefreshAt,
} from './serviceTokenCache.js';

const MIN = 60_000;
const token = (grantId: string, expiresAt: number): ServiceToken => ({
  token: `jwt-${grantId}`,
  tokenType: 'Bearer',
  audience: 'https://git.ml.internal',
  expiresAt,
  grantId,
});

describe('service token cache (keychain vault, grant-tagged)', () => {
  it('serves a cached token until a minute before expiry, then misses', async () => {
    let now = 1_000_000;
    const store = createMemoryCredentialStore(() => now);
    await cacheServiceToken(store, 'p', 'ml-git', token('g-1', now + 15 * MIN), now);
    expect(await readCachedServiceToken(store, 'p', 'ml-git', now)).toMatchObject({ grantId: 'g-1' });
    expect(await readCachedServiceToken(store, 'p', 'model-registry', now)).toBeUndefined();
    now += 14 * MIN;
    expect(await readCachedServiceToken(store, 'p', 'ml-git', now)).toBeUndefined();
    expect(serviceTokenRefreshAt(0, 60_000)).toBe(30_000); // a short token still caches for half its life
  });

  it('a grant end wipes the tokens issued under it and only those; erase wipes one service', async () => {
    const now = 1_000_000;
    const store = createMemoryCredentialStore(() => now);
    await cacheServiceToken(store, 'p', 'ml-git', token('g-1', now + 10 * MIN), now);
    await cacheServiceToken(store, 'p', 'k8s-training', token('g-2', now + 10 * MIN), now);
    expect(await wipeGrantCredentials(store, 'p', 'g-1')).toHaveLength(1);
    expect(await readCachedServiceToken(store, 'p', 'ml-git', now)).toBeUndefined();
    expect(await readCachedServiceToken(store, 'p', 'k8s-training', now)).toBeDefined();
    await eraseServiceToken(store, 'p', 'k8s-training');
    expect(await store.list('p')).toEqual([]);
  });

  it('a new token for a service replaces the one cached under another grant', async () => {
    const now = 1_000_000;
    const store = createMemoryCredentialStore(() => now);
    await cacheServiceToken(store, 'p', 'ml-git', token('g-1', now + 10 * MIN), now);
    await cacheServiceToken(store, 'p', 'ml-git', token('g-2', now + 10 * MIN), now);
    expect(await store.list('p')).toHaveLength(1);
    expect(await readCachedServiceToken(store, 'p', 'ml-git', now)).toMatchObject({ grantId: 'g-2' });
  });
});
