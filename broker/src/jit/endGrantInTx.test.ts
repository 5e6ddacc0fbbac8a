import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeAccessRequest, makeGrant } from '../store/jitStoreConformance.js';
import { makeUser, T0 } from '../store/storeFixtures.js';
import { openTempSqliteStore, type TempSqliteStore } from '../store/tempSqliteStore.js';
import { endGrantInTx } from './endGrantInTx.js';

const broker = { kind: 'broker' as const };

describe('endGrantInTx', () => {
  let temp: TempSqliteStore;
  beforeEach(async () => {
    temp = await openTempSqliteStore();
  });
  afterEach(async () => temp.dispose());

  async function activeGrantWithCredential(): Promise<{ grantId: string; credentialId: string }> {
    const { store } = temp;
    await store.createUser(makeUser({ id: 'ivy' }));
    const request = makeAccessRequest('ivy');
    await store.createAccessRequest(request);
    const grant = makeGrant(request, { status: 'active', activatedAt: T0, expiresAt: T0 + 3_600_000 });
    await store.createGrant(grant);
    await store.recordIssuedCredential({
      id: 'ssh:7',
      kind: 'ssh-certificate',
      userId: 'ivy',
      deviceId: 'dev-ivy',
      grantId: grant.id,
      audience: 'gpu-a100',
      serial: '7',
      issuedAt: T0 + 1,
      expiresAt: T0 + 1_800_000,
    });
    return { grantId: grant.id, credentialId: 'ssh:7' };
  }

  it('ends the grant, revokes what was issued under it and audits the revocation, in one transaction', async () => {
    const { store } = temp;
    const { grantId, credentialId } = await activeGrantWithCredential();
    const before = (await store.auditHead()).seq;
    const ended = await store.transaction((tx) =>
      endGrantInTx(tx, { id: grantId, userId: 'ivy' }, T0 + 60_000, 'dropped', {
        actor: broker,
        time: T0 + 60_000,
      }),
    );
    expect(ended).toBe(true);
    expect(await store.getGrant(grantId)).toMatchObject({ status: 'ended', endReason: 'dropped' });
    expect(await store.getIssuedCredential(credentialId)).toMatchObject({
      revokedAt: T0 + 60_000,
      revokeReason: 'grant_dropped',
    });
    const records = await store.readAudit(before + 1, 10);
    expect(records.map((r) => r.activity)).toEqual(['credential.revoke']);
    expect(records[0]?.data).toMatchObject({
      grantId,
      credentials: [{ id: credentialId, kind: 'ssh-certificate', audience: 'gpu-a100' }],
    });
    // A second end changes nothing and writes nothing.
    const again = await store.transaction((tx) =>
      endGrantInTx(tx, { id: grantId, userId: 'ivy' }, T0 + 70_000, 'revoked', {
        actor: broker,
        time: T0 + 70_000,
      }),
    );
    expect(again).toBe(false);
    expect((await store.auditHead()).seq).toBe(before + 1);
  });

  it('leaves grant and credentials untouched when the transaction fails later', async () => {
    const { store } = temp;
    const { grantId, credentialId } = await activeGrantWithCredential();
    await expect(
      store.transaction(async (tx) => {
        await endGrantInTx(tx, { id: grantId, userId: 'ivy' }, T0 + 1, 'revoked', {
          actor: broker,
          time: T0 + 1,
        });
        throw new Error('the grant-end audit record could not be written');
      }),
    ).rejects.toThrow();
    expect(await store.getGrant(grantId)).toMatchObject({ status: 'active' });
    expect((await store.getIssuedCredential(credentialId))?.revokedAt).toBeNull();
  });
});
