import type { KoaContextWithOIDC } from 'oidc-provider';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openTempSqliteStore, type TempSqliteStore } from '../store/tempSqliteStore.js';
import { makeFindAccount } from './findAccount.js';

const ctx = {} as KoaContextWithOIDC;

describe('makeFindAccount', () => {
  let temp: TempSqliteStore;
  beforeEach(async () => {
    temp = await openTempSqliteStore();
    await temp.store.createUser({ id: 'u1', email: 'a@example.com', displayName: 'A', createdAt: 1 });
    await temp.store.upsertRole({ name: 'ml-engineers', description: '' });
    await temp.store.addMembership('u1', 'ml-engineers');
  });
  afterEach(() => temp.dispose());

  it('returns the roles when the roles scope or a claims request names them, and reads them only then', async () => {
    const read = vi.spyOn(temp.store, 'listMemberships');
    const account = await makeFindAccount(temp.store)(ctx, 'u1');
    if (!account) throw new Error('active user not found');

    expect(await account.claims('userinfo', 'openid roles', {}, [])).toMatchObject({
      roles: ['ml-engineers'],
    });
    expect(await account.claims('id_token', 'openid', { roles: null }, [])).toMatchObject({
      roles: ['ml-engineers'],
    });
    expect(read).toHaveBeenCalledTimes(2);

    // The CLI's refresh: no roles asked for, so none read (oidc-provider would drop them anyway).
    const plain = await account.claims('id_token', 'openid offline_access email profile', {}, []);
    expect(plain).not.toHaveProperty('roles');
    expect(plain).toMatchObject({ sub: 'u1', email: 'a@example.com', name: 'A' });
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('finds no account for a locked user', async () => {
    await temp.store.setUserStatus('u1', 'locked');
    expect(await makeFindAccount(temp.store)(ctx, 'u1')).toBeUndefined();
  });
});
