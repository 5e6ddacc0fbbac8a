import Provider from 'oidc-provider';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { oidcAdapter, storedTokenKey } from './oidcAdapter.js';
import type { SqliteStore } from './SqliteStore.js';
import { openTempSqliteStore, type TempSqliteStore } from './tempSqliteStore.js';
import { T0 } from './storeFixtures.js';

describe('oidcAdapter', () => {
  let temp: TempSqliteStore;
  let store: SqliteStore;
  let clock: number;
  const now = () => clock;

  beforeEach(async () => {
    temp = await openTempSqliteStore('sr-adapter-');
    ({ store } = temp);
    clock = T0;
  });
  afterEach(async () => {
    await temp.dispose();
  });

  it('upserts, finds, and hides records once they expire', async () => {
    const Adapter = oidcAdapter(store, { now });
    const sessions = new Adapter('Session');
    await sessions.upsert('s1', { uid: 'uid-1', accountId: 'u1' }, 60);
    expect(await sessions.find('s1')).toEqual({ uid: 'uid-1', accountId: 'u1' });
    expect(await sessions.findByUid('uid-1')).toEqual({ uid: 'uid-1', accountId: 'u1' });
    expect(await new Adapter('AccessToken').find('s1')).toBeUndefined();
    clock = T0 + 60_000;
    expect(await sessions.find('s1')).toBeUndefined();
    expect(await sessions.findByUid('uid-1')).toBeUndefined();
    expect(await store.sweepExpired(clock)).toBe(1);
  });

  it('finds device codes by user code and marks consumed records in seconds', async () => {
    const Adapter = oidcAdapter(store, { now });
    const codes = new Adapter('DeviceCode');
    await codes.upsert('d1', { userCode: 'WDJB-MJHT', grantId: 'g1' }, 600);
    expect(await codes.findByUserCode('WDJB-MJHT')).toMatchObject({ userCode: 'WDJB-MJHT' });
    clock = T0 + 1500;
    await codes.consume('d1');
    expect(await codes.find('d1')).toEqual({
      userCode: 'WDJB-MJHT',
      grantId: 'g1',
      consumed: Math.floor((T0 + 1500) / 1000),
    });
    await codes.destroy('d1');
    expect(await codes.find('d1')).toBeUndefined();
  });

  it('revokes every token of a grant', async () => {
    const Adapter = oidcAdapter(store, { now });
    const access = new Adapter('AccessToken');
    const refresh = new Adapter('RefreshToken');
    await access.upsert('a1', { grantId: 'g1' }, 600);
    await refresh.upsert('r1', { grantId: 'g1' }, 600);
    await refresh.upsert('r2', { grantId: 'g2' }, 600);
    await access.revokeByGrantId('g1');
    expect(await access.find('a1')).toBeUndefined();
    expect(await refresh.find('r1')).toBeUndefined();
    expect(await refresh.find('r2')).toBeDefined();
  });

  it('backs a real oidc-provider: tokens saved, found, consumed and revoked by grant', async () => {
    const provider = new Provider('http://localhost:7700', {
      adapter: oidcAdapter(store),
      features: { devInteractions: { enabled: false } },
      clients: [
        {
          client_id: 'cli',
          token_endpoint_auth_method: 'none',
          redirect_uris: ['http://127.0.0.1/callback'],
          grant_types: ['authorization_code', 'refresh_token'],
        },
      ],
    });
    const client = await provider.Client.find('cli');
    if (!client) throw new Error('client missing');
    const grant = new provider.Grant({ accountId: 'u1', clientId: 'cli' });
    grant.addOIDCScope('openid');
    const grantId = await grant.save();
    const at = new provider.AccessToken({
      accountId: 'u1',
      client,
      grantId,
      scope: 'openid',
      gty: 'authorization_code',
    });
    const atValue = await at.save();
    const rt = new provider.RefreshToken({
      accountId: 'u1',
      client,
      grantId,
      scope: 'openid',
      gty: 'authorization_code',
    });
    const rtValue = await rt.save();

    expect((await provider.AccessToken.find(atValue))?.accountId).toBe('u1');
    // Bearer values are never stored: rows are keyed by SHA-256 and the payload has no `jti` copy.
    for (const [model, value] of [
      ['AccessToken', atValue],
      ['RefreshToken', rtValue],
    ] as const) {
      expect(await store.oidcFind(model, value)).toBeUndefined();
      const row = await store.oidcFind(model, storedTokenKey(value));
      expect(row?.model).toBe(model);
      expect(JSON.stringify(row)).not.toContain(value);
    }
    const foundRt = await provider.RefreshToken.find(rtValue);
    expect(foundRt?.isValid).toBe(true);
    await foundRt?.consume();
    // A consumed refresh token comes back marked consumed, so reuse detection can fire.
    expect((await provider.RefreshToken.find(rtValue))?.consumed).toBeTypeOf('number');

    await provider.AccessToken.revokeByGrantId(grantId);
    expect(await provider.AccessToken.find(atValue)).toBeUndefined();
    expect(await provider.RefreshToken.find(rtValue)).toBeUndefined();
    expect((await provider.Grant.find(grantId))?.accountId).toBe('u1');
  });
});
