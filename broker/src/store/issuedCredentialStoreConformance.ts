import { expect, it } from 'vitest';
import { BrokerError } from '../errors/BrokerError.js';
import type { NewIssuedCredential } from '../credentials/issuedCredentialRecord.js';
import { makeAccessRequest, makeGrant } from './jitStoreConformance.js';
import type { StoreHarness } from './storeConformance.js';
import { makeUser, T0 } from './storeFixtures.js';

const MINUTE = 60_000;

async function userWithGrant(harness: StoreHarness, userId: string): Promise<string> {
  await harness.store.createUser(makeUser({ id: userId }));
  const request = makeAccessRequest(userId);
  await harness.store.createAccessRequest(request);
  const grant = makeGrant(request);
  await harness.store.createGrant(grant);
  return grant.id;
}

function issued(
  userId: string,
  grantId: string,
  overrides: Partial<NewIssuedCredential> = {},
): NewIssuedCredential {
  return {
    id: `jti-${Math.random().toString(36).slice(2)}`,
    kind: 'service-token',
    userId,
    deviceId: 'dev-1',
    grantId,
    audience: 'model-registry',
    serial: null,
    issuedAt: T0,
    expiresAt: T0 + 10 * MINUTE,
    ...overrides,
  };
}

/** Issued-credential ledger tests of the store conformance suite (issue 6), run by SQLite and PostgreSQL. */
export function issuedCredentialStoreConformance(harness: () => StoreHarness): void {
  it('credentials: records once, reads back, counts per user since a time', async () => {
    const h = harness();
    const grantId = await userWithGrant(h, 'cora');
    const first = issued('cora', grantId);
    await h.store.recordIssuedCredential(first);
    await h.store.recordIssuedCredential(issued('cora', grantId, { issuedAt: T0 + MINUTE }));
    expect(await h.store.getIssuedCredential(first.id)).toEqual({
      ...first,
      revokedAt: null,
      revokeReason: null,
    });
    expect(await h.store.getIssuedCredential('nope')).toBeUndefined();
    const duplicate = await h.store.recordIssuedCredential(first).catch((e: unknown) => e);
    expect(duplicate).toBeInstanceOf(BrokerError);
    expect((duplicate as BrokerError).code).toBe('conflict');
    expect(await h.store.countIssuedCredentials('cora', T0)).toBe(2);
    expect(await h.store.countIssuedCredentials('cora', T0 + 1)).toBe(1);
    expect(await h.store.countIssuedCredentials('nobody', 0)).toBe(0);
  });

  it('credentials: revoking a grant marks only its unexpired, unrevoked credentials, once', async () => {
    const h = harness();
    const grantA = await userWithGrant(h, 'dina');
    const requestB = makeAccessRequest('dina');
    await h.store.createAccessRequest(requestB);
    const grantB = makeGrant(requestB);
    await h.store.createGrant(grantB);
    const live = issued('dina', grantA, { kind: 'ssh-certificate', id: 'ssh:42', serial: '42' });
    const expired = issued('dina', grantA, { expiresAt: T0 + 1 });
    const other = issued('dina', grantB.id);
    for (const c of [live, expired, other]) await h.store.recordIssuedCredential(c);

    const revoked = await h.store.revokeCredentialsOfGrant(grantA, T0 + 5, 'dropped');
    expect(revoked.map((c) => c.id)).toEqual([live.id]);
    expect(revoked[0]).toMatchObject({ revokedAt: T0 + 5, revokeReason: 'dropped', serial: '42' });
    expect(await h.store.revokeCredentialsOfGrant(grantA, T0 + 6, 'again')).toEqual([]);
    expect((await h.store.getIssuedCredential(other.id))?.revokedAt).toBeNull();
    expect((await h.store.listRevokedCredentials('ssh-certificate', T0 + 6)).map((c) => c.id)).toEqual([
      live.id,
    ]);
    expect(await h.store.listRevokedCredentials('service-token', T0 + 6)).toEqual([]);
    // Once expired, a revoked credential drops out of the KRL/denylist.
    expect(await h.store.listRevokedCredentials('ssh-certificate', live.expiresAt)).toEqual([]);
  });

  it('credentials: a lock revokes every credential of the user and no one else', async () => {
    const h = harness();
    const grantE = await userWithGrant(h, 'eve');
    const grantF = await userWithGrant(h, 'fay');
    const eve = [
      issued('eve', grantE),
      issued('eve', grantE, { kind: 'aws-web-identity', issuedAt: T0 + 1 }),
    ];
    const fay = issued('fay', grantF);
    for (const c of [...eve, fay]) await h.store.recordIssuedCredential(c);
    const revoked = await h.store.revokeCredentialsOfUser('eve', T0 + 2, 'locked');
    expect(revoked.map((c) => c.id)).toEqual(eve.map((c) => c.id));
    expect((await h.store.getIssuedCredential(fay.id))?.revokedAt).toBeNull();
  });

  it('credentials: revocation commits or rolls back with the transaction', async () => {
    const h = harness();
    const grantId = await userWithGrant(h, 'gus');
    const c = issued('gus', grantId);
    await h.store.recordIssuedCredential(c);
    await expect(
      h.store.transaction(async (tx) => {
        await tx.revokeCredentialsOfGrant(grantId, T0 + 1, 'dropped');
        throw new Error('audit failed');
      }),
    ).rejects.toThrow('audit failed');
    expect((await h.store.getIssuedCredential(c.id))?.revokedAt).toBeNull();
  });
}
