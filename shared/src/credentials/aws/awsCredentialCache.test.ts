import { describe, expect, it } from 'vitest';
import { createMemoryCredentialStore } from '../../vault/createMemoryCredentialStore.js';
import { wipeGrantCredentials } from '../../vault/grantCredentialEntries.js';
import type { AwsCredentials } from './AwsCredentials.js';
import { credentialProcessJson } from './AwsCredentials.js';
import {
  awsRefreshAt,
  cacheAwsCredentials,
  forgetAwsRole,
  readCachedAwsCredentials,
} from './awsCredentialCache.js';

const MIN = 60_000;
const G1 = '0b8f3c1e-4a6d-4a47-9d5e-1c2b3a4d5e6f';
const G2 = '9c8d7e6f-5a4b-4c3d-8e2f-1a0b9c8d7e6f';
const make = (grantId: string, expiration: number, key = 'ASIAONE'): AwsCredentials => ({
  accessKeyId: key,
  secretAccessKey: 's',
  sessionToken: 't',
  expiration,
  grantId,
  roleArn: 'arn:aws:iam::111122223333:role/x',
});

describe('AWS credential cache', () => {
  it('serves until shortly before expiry (5 min, or half the life for short ones), then misses', async () => {
    let now = 1_900_000_000_000;
    const store = createMemoryCredentialStore(() => now);
    await cacheAwsCredentials(store, 'p', 'r', make(G1, now + 60 * MIN), now);
    expect(await readCachedAwsCredentials(store, 'p', 'r', now)).toMatchObject({ accessKeyId: 'ASIAONE' });
    now += 54 * MIN;
    expect(await readCachedAwsCredentials(store, 'p', 'r', now)).toBeDefined();
    now += 2 * MIN; // 4 minutes left
    expect(await readCachedAwsCredentials(store, 'p', 'r', now)).toBeUndefined();
    expect(awsRefreshAt(0, 6 * MIN)).toBe(3 * MIN);
    expect(awsRefreshAt(0, 60 * MIN)).toBe(55 * MIN);
    now += 10 * MIN; // expired: the vault itself deletes the entry
    expect(await readCachedAwsCredentials(store, 'p', 'r', now)).toBeUndefined();
    expect(await store.list('p')).toEqual([]);
  });

  it('keeps roles, profiles and grants apart; a grant wipe or a refusal deletes only its entries', async () => {
    const now = 1_900_000_000_000;
    const store = createMemoryCredentialStore(() => now);
    await cacheAwsCredentials(store, 'p', 'r', make(G1, now + 30 * MIN, 'K1'), now);
    await cacheAwsCredentials(store, 'p', 's3://b/', make(G2, now + 30 * MIN, 'K2'), now);
    await cacheAwsCredentials(store, 'q', 'r', make(G1, now + 30 * MIN, 'K3'), now);
    expect((await readCachedAwsCredentials(store, 'p', 'r', now))?.accessKeyId).toBe('K1');
    expect((await readCachedAwsCredentials(store, 'p', 's3://b/', now))?.accessKeyId).toBe('K2');
    expect(await readCachedAwsCredentials(store, 'p', 'r', now, G2)).toBeUndefined();
    expect((await readCachedAwsCredentials(store, 'p', 'r', now, G1))?.accessKeyId).toBe('K1');
    // Entry names carry the grant tag (vault/grantCredentialEntries.ts): any grant wiper finds them.
    expect((await store.list('p')).every((n) => n.startsWith('g.'))).toBe(true);

    expect(await wipeGrantCredentials(store, 'p', G1)).toHaveLength(1);
    expect(await readCachedAwsCredentials(store, 'p', 'r', now)).toBeUndefined();
    expect((await readCachedAwsCredentials(store, 'p', 's3://b/', now))?.accessKeyId).toBe('K2');
    expect((await readCachedAwsCredentials(store, 'q', 'r', now))?.accessKeyId).toBe('K3');
    await forgetAwsRole(store, 'p', 's3://b/', G1); // refused under another grant: kept
    expect((await readCachedAwsCredentials(store, 'p', 's3://b/', now))?.accessKeyId).toBe('K2');
    await forgetAwsRole(store, 'p', 's3://b/');
    expect(await store.list('p')).toEqual([]);
  });

  it('ignores an entry that is not a cache entry for that role (tampered, or another role under a colliding name)', async () => {
    const now = 1_900_000_000_000;
    const store = createMemoryCredentialStore(() => now);
    await cacheAwsCredentials(store, 'p', 'r', make(G1, now + 30 * MIN), now);
    const [name] = await store.list('p');
    await store.set('p', name ?? '', JSON.stringify({ v: 1, role: 'other' }), now + MIN);
    expect(await readCachedAwsCredentials(store, 'p', 'r', now)).toBeUndefined();
    await store.set('p', name ?? '', '{not json', now + MIN);
    expect(await readCachedAwsCredentials(store, 'p', 'r', now)).toBeUndefined();
  });

  it('prints exactly the credential_process shape', () => {
    expect(JSON.parse(credentialProcessJson(make(G1, Date.UTC(2030, 0, 1))))).toEqual({
      Version: 1,
      AccessKeyId: 'ASIAONE',
      SecretAccessKey: 's',
      SessionToken: 't',
      Expiration: '2030-01-01T00:00:00.000Z',
    });
  });
});
