import { describe, expect, it } from 'vitest';
import { createMemoryCredentialStore } from '../../vault/createMemoryCredentialStore.js';
import { cacheAwsCredentials } from './awsCredentialCache.js';
import { createAwsCredentialProvider } from './createAwsCredentialProvider.js';

const MIN = 60_000;
const G1 = '0b8f3c1e-4a6d-4a47-9d5e-1c2b3a4d5e6f';
const G2 = '9c8d7e6f-5a4b-4c3d-8e2f-1a0b9c8d7e6f';
const PROFILE = {
  name: 'p',
  broker: 'http://localhost:1',
  clientId: 'strongroom-cli',
  acr: 'urn:strongroom:acr:hwk',
};

/**
 * The agent's in-memory layer. The credentials come from the keychain cache (a real vault over
 * memory), so no broker or STS runs; a fetch is "in flight" from get() until that cache read ends.
 */
async function world(listedGrants?: () => readonly string[]) {
  const now = 1_900_000_000_000;
  const store = createMemoryCredentialStore(() => now);
  await cacheAwsCredentials(
    store,
    'p',
    'ml-researcher',
    {
      accessKeyId: 'ASIAONE',
      secretAccessKey: 's',
      sessionToken: 't',
      expiration: now + 60 * MIN,
      grantId: G1,
      roleArn: 'arn:aws:iam::111122223333:role/x',
    },
    now,
  );
  const provider = createAwsCredentialProvider({
    profile: PROFILE,
    store,
    client: () => Promise.reject(new Error('no broker here')),
    now: () => now,
    ...(listedGrants === undefined ? {} : { listedGrants }),
  });
  return { store, provider };
}

describe('the agent AWS credential provider', () => {
  it('credentials fetched across a wipe of their grant, or of everything, are neither served nor kept', async () => {
    for (const wipe of ['grant', 'all'] as const) {
      const { store, provider } = await world();
      const asked = provider.get({ role: 'ml-researcher' });
      if (wipe === 'grant') provider.forgetGrant(G1);
      else provider.forgetAll();
      await expect(asked).rejects.toMatchObject({ code: 'denied', message: expect.stringMatching(/ended/) });
      expect(await store.list('p')).toEqual([]);
    }
  });

  it('a wipe of another grant does not spoil a fetch, and what it fetched is then served from memory', async () => {
    const { store, provider } = await world();
    const asked = provider.get({ role: 'ml-researcher' });
    provider.forgetGrant(G2);
    expect(await asked).toMatchObject({ accessKeyId: 'ASIAONE', grantId: G1 });
    await store.clearProfile('p');
    expect(await provider.get({ role: 'ml-researcher' })).toMatchObject({ accessKeyId: 'ASIAONE' });
  });

  it('a keychain copy under a grant the agent does not list is deleted, not served (the broker decides)', async () => {
    let listed: string[] = [];
    const { store, provider } = await world(() => listed);
    // Right after the agent starts (nothing synced yet) or after the grant ended while it was down.
    await expect(provider.get({ role: 'ml-researcher' })).rejects.toThrow(/no broker here/);
    expect(await store.list('p')).toEqual([]);
    // Listed: the copy is served as before.
    listed = [G1];
    const again = await world(() => listed);
    expect(await again.provider.get({ role: 'ml-researcher' })).toMatchObject({ accessKeyId: 'ASIAONE' });
  });
});
