import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GENESIS_HASH, hashAuditRecord } from '../audit/hashAuditRecord.js';
import { BrokerError } from '../errors/BrokerError.js';
import { alertStoreConformance } from './alertStoreConformance.js';
import { deviceStoreConformance } from './deviceStoreConformance.js';
import { issuedCredentialStoreConformance } from './issuedCredentialStoreConformance.js';
import { jitStoreConformance } from './jitStoreConformance.js';
import { reviewStoreConformance } from './reviewStoreConformance.js';
import type { Store } from './Store.js';
import {
  makeAuditEvent,
  makeCredential,
  makeEnrollment,
  makeOidcRecord,
  makeUser,
  T0,
} from './storeFixtures.js';

export interface StoreHarness {
  store: Store;
  /** Closes the store and removes what the harness created (a temp dir, a schema). */
  dispose(): Promise<void>;
  /** Opens a second, independent store on the same database (another broker instance). */
  openAnother(): Promise<Store>;
}

/**
 * The one conformance suite every Store implementation passes (CONVENTIONS.md, Tests). Each test
 * gets a fresh, migrated, empty database from `open`.
 */
export function storeConformance(name: string, open: () => Promise<StoreHarness>): void {
  describe(`Store conformance: ${name}`, () => {
    let h: StoreHarness;
    let store: Store;
    beforeEach(async () => {
      h = await open();
      store = h.store;
    });
    afterEach(async () => {
      await h.dispose();
    });

    const code = async (p: Promise<unknown>): Promise<string> => {
      const error: unknown = await p.then(
        () => undefined,
        (e: unknown) => e,
      );
      return error instanceof BrokerError ? error.code : `not a BrokerError: ${String(error)}`;
    };

    it('migrate is idempotent and safe to run from two instances at once', async () => {
      const other = await h.openAnother();
      try {
        await Promise.all([store.migrate(), other.migrate(), store.migrate()]);
        await store.createUser(makeUser({ id: 'u1' }));
        expect((await other.getUser('u1'))?.id).toBe('u1');
      } finally {
        await other.close();
      }
    });

    it('creates, finds and lists users; email is unique; status changes', async () => {
      const created = await store.createUser({
        id: 'u1',
        email: 'a@x.test',
        displayName: 'A',
        createdAt: T0,
      });
      expect(created.status).toBe('active');
      await store.createUser(makeUser({ id: 'u2', email: 'b@x.test', createdAt: T0 + 1, status: 'locked' }));
      expect(await store.getUser('u1')).toEqual(created);
      expect((await store.getUserByEmail('b@x.test'))?.id).toBe('u2');
      expect(await store.getUser('nope')).toBeUndefined();
      expect(await store.getUserByEmail('nope@x.test')).toBeUndefined();
      expect((await store.listUsers()).map((u) => u.id)).toEqual(['u1', 'u2']);
      expect(await code(store.createUser(makeUser({ id: 'u3', email: 'a@x.test' })))).toBe('conflict');
      expect(await code(store.createUser(makeUser({ id: 'u1', email: 'c@x.test' })))).toBe('conflict');
      await store.setUserStatus('u1', 'disabled');
      expect((await store.getUser('u1'))?.status).toBe('disabled');
      expect(await code(store.setUserStatus('nope', 'locked'))).toBe('not_found');
    });

    it('upserts roles and manages memberships', async () => {
      await store.upsertRole({ name: 'dev', description: 'developers' });
      await store.upsertRole({ name: 'admin', description: 'admins' });
      await store.upsertRole({ name: 'dev', description: 'Developers' });
      expect(await store.listRoles()).toEqual([
        { name: 'admin', description: 'admins' },
        { name: 'dev', description: 'Developers' },
      ]);
      await store.createUser(makeUser({ id: 'u1' }));
      await store.addMembership('u1', 'dev');
      await store.addMembership('u1', 'admin');
      await store.addMembership('u1', 'dev');
      expect(await store.listMemberships('u1')).toEqual(['admin', 'dev']);
      await store.removeMembership('u1', 'dev');
      await store.removeMembership('u1', 'dev');
      expect(await store.listMemberships('u1')).toEqual(['admin']);
      expect(await store.listMemberships('nobody')).toEqual([]);
      expect(await code(store.addMembership('u1', 'no-such-role'))).toBe('not_found');
      expect(await code(store.addMembership('no-such-user', 'dev'))).toBe('not_found');
    });

    it('stores credentials byte-exact and updates the sign counter', async () => {
      await store.createUser(makeUser({ id: 'u1' }));
      const bytes = new Uint8Array(256).map((_, i) => i);
      const c1 = makeCredential('u1', {
        id: 'c1',
        publicKey: bytes,
        transports: ['usb', 'nfc'],
        backedUp: true,
      });
      const c2 = makeCredential('u1', { id: 'c2', createdAt: T0 + 5 });
      await store.addCredential(c1);
      await store.addCredential(c2);
      expect(await store.getCredential('c1')).toEqual(c1);
      expect(await store.getCredential('nope')).toBeUndefined();
      expect((await store.listCredentials('u1')).map((c) => c.id)).toEqual(['c1', 'c2']);
      expect(await store.listCredentials('u2')).toEqual([]);
      await store.updateCredentialUse('c1', 41, T0 + 1000);
      const after = await store.getCredential('c1');
      expect([after?.counter, after?.lastUsedAt]).toEqual([41, T0 + 1000]);
      await store.updateCredentialUse('c1', 2 ** 32 - 1, T0 + 2000);
      expect((await store.getCredential('c1'))?.counter).toBe(2 ** 32 - 1);
      expect(await code(store.updateCredentialUse('nope', 1, T0))).toBe('not_found');
      expect(await code(store.addCredential(c1))).toBe('conflict');
      expect(await code(store.addCredential(makeCredential('no-such-user')))).toBe('not_found');
    });

    it('lets only one of two concurrent read-check-write transactions move a sign counter forward', async () => {
      await store.createUser(makeUser({ id: 'u1' }));
      await store.addCredential(makeCredential('u1', { id: 'c1', counter: 5 }));
      const other = await h.openAnother();
      try {
        // Both logins present counter 6 (a cloned key); the forward-only check must pass once.
        const login = (s: Store) =>
          s.transaction(async (tx) => {
            const current = await tx.getCredential('c1');
            await new Promise((resolve) => setTimeout(resolve, 5));
            if (!current || current.counter >= 6) return false;
            await tx.updateCredentialUse('c1', 6, T0 + 1);
            await tx.appendAudit(makeAuditEvent());
            return true;
          });
        const results = await Promise.all([login(store), login(other), login(store)]);
        expect(results.filter(Boolean)).toHaveLength(1);
        expect((await store.getCredential('c1'))?.counter).toBe(6);
      } finally {
        await other.close();
      }
    });

    it('enrollment links are single-use and expire', async () => {
      const e = makeEnrollment({ tokenHash: 'h1', roles: ['admin', 'dev'], kind: 'admin-bootstrap' });
      await store.createEnrollment(e);
      expect(await store.getEnrollment('h1')).toEqual(e);
      expect(await store.getEnrollment('nope')).toBeUndefined();
      expect(await store.consumeEnrollment('h1', e.expiresAt)).toBe(false); // expired at the instant
      expect(await store.consumeEnrollment('h1', T0 + 1)).toBe(true);
      expect(await store.consumeEnrollment('h1', T0 + 2)).toBe(false);
      expect((await store.getEnrollment('h1'))?.usedAt).toBe(T0 + 1);
      expect(await store.consumeEnrollment('nope', T0)).toBe(false);
      expect(await code(store.createEnrollment(e))).toBe('conflict');
    });

    it('consumes an enrollment link exactly once under concurrency, across instances', async () => {
      await store.createEnrollment(makeEnrollment({ tokenHash: 'race' }));
      const other = await h.openAnother();
      try {
        const attempts = Array.from({ length: 24 }, (_, i) =>
          (i % 2 ? other : store).consumeEnrollment('race', T0 + i + 1),
        );
        const results = await Promise.all(attempts);
        expect(results.filter(Boolean)).toHaveLength(1);
      } finally {
        await other.close();
      }
    });

    it('stores oidc-provider records and finds them by id, uid and user code', async () => {
      const r = makeOidcRecord({
        model: 'Session',
        id: 's1',
        uid: 'uid-1',
        payload: { a: [1, { b: null }] },
      });
      await store.oidcUpsert(r);
      await store.oidcUpsert(makeOidcRecord({ model: 'DeviceCode', id: 'd1', userCode: 'ABCD-EFGH' }));
      expect(await store.oidcFind('Session', 's1')).toEqual(r);
      expect(await store.oidcFind('AccessToken', 's1')).toBeUndefined();
      expect((await store.oidcFindByUid('Session', 'uid-1'))?.id).toBe('s1');
      expect(await store.oidcFindByUid('Interaction', 'uid-1')).toBeUndefined();
      expect((await store.oidcFindByUserCode('DeviceCode', 'ABCD-EFGH'))?.id).toBe('d1');
      expect(await store.oidcFindByUserCode('DeviceCode', 'nope')).toBeUndefined();
      await store.oidcUpsert({ ...r, payload: { changed: true }, expiresAt: null });
      expect(await store.oidcFind('Session', 's1')).toMatchObject({
        payload: { changed: true },
        expiresAt: null,
      });
    });

    it('consumes (keeping the first time) and destroys oidc records', async () => {
      await store.oidcUpsert(makeOidcRecord({ id: 'code1' }));
      await store.oidcConsume('AuthorizationCode', 'code1', T0 + 5);
      await store.oidcConsume('AuthorizationCode', 'code1', T0 + 9);
      expect((await store.oidcFind('AuthorizationCode', 'code1'))?.consumedAt).toBe(T0 + 5);
      await store.oidcUpsert(makeOidcRecord({ id: 'code1', consumedAt: null }));
      expect((await store.oidcFind('AuthorizationCode', 'code1'))?.consumedAt).toBe(T0 + 5);
      await store.oidcDestroy('AuthorizationCode', 'code1');
      expect(await store.oidcFind('AuthorizationCode', 'code1')).toBeUndefined();
      await store.oidcDestroy('AuthorizationCode', 'code1');
      await store.oidcConsume('AuthorizationCode', 'missing', T0);
    });

    it('revokes every record of a grant, across models, and nothing else', async () => {
      for (const model of ['AccessToken', 'RefreshToken', 'AuthorizationCode']) {
        await store.oidcUpsert(makeOidcRecord({ model, id: `${model}-g1`, grantId: 'g1' }));
        await store.oidcUpsert(makeOidcRecord({ model, id: `${model}-g2`, grantId: 'g2' }));
      }
      await store.oidcRevokeByGrantId('g1');
      expect(await store.oidcFind('RefreshToken', 'RefreshToken-g1')).toBeUndefined();
      expect(await store.oidcFind('AccessToken', 'AccessToken-g1')).toBeUndefined();
      expect(await store.oidcFind('RefreshToken', 'RefreshToken-g2')).toBeDefined();
    });

    it('sweeps only expired oidc records', async () => {
      await store.oidcUpsert(makeOidcRecord({ id: 'old', expiresAt: T0 }));
      await store.oidcUpsert(makeOidcRecord({ id: 'new', expiresAt: T0 + 10 }));
      await store.oidcUpsert(makeOidcRecord({ id: 'forever', expiresAt: null }));
      expect(await store.sweepExpired(T0)).toBe(1);
      expect(await store.oidcFind('AuthorizationCode', 'old')).toBeUndefined();
      expect(await store.sweepExpired(T0 + 100)).toBe(1);
      expect(await store.oidcFind('AuthorizationCode', 'forever')).toBeDefined();
    });

    it('keeps JSON settings; insert-if-absent lets exactly one writer win', async () => {
      expect(await store.getSetting('k')).toBeUndefined();
      await store.putSetting('k', { a: 1, b: ['x'] });
      expect(await store.getSetting('k')).toEqual({ a: 1, b: ['x'] });
      await store.putSetting('k', 'replaced');
      expect(await store.getSetting<string>('k')).toBe('replaced');
      const other = await h.openAnother();
      try {
        const wins = await Promise.all([
          store.insertSettingIfAbsent('once', 1),
          other.insertSettingIfAbsent('once', 2),
          store.insertSettingIfAbsent('once', 3),
        ]);
        expect(wins.filter(Boolean)).toHaveLength(1);
        expect([1, 2, 3]).toContain(await store.getSetting('once'));
      } finally {
        await other.close();
      }
      expect(await code(store.putSetting('bad', undefined))).toBe('invalid_request');
    });

    it('appends a hash chain from the genesis hash and reads it back exactly', async () => {
      expect(await store.auditHead()).toEqual({ seq: 0, hash: GENESIS_HASH });
      const a = await store.appendAudit(makeAuditEvent({ srcIp: '127.0.0.1', severityId: 1 }));
      const [b, c] = await store.appendAuditBatch([
        makeAuditEvent({ classUid: 3001, activity: 'user.create', data: { nested: { z: 1, a: 'é' } } }),
        makeAuditEvent({ statusId: 2, data: undefined }),
      ]);
      expect(await store.appendAuditBatch([])).toEqual([]);
      expect([a.seq, b?.seq, c?.seq]).toEqual([1, 2, 3]);
      expect(a.prevHash).toBe(GENESIS_HASH);
      expect(b?.prevHash).toBe(a.hash);
      expect(c?.prevHash).toBe(b?.hash);
      const read = await store.readAudit(1, 10);
      expect(read).toEqual([a, b, c]);
      for (const record of read) expect(hashAuditRecord(record)).toBe(record.hash);
      expect(await store.readAudit(3, 10)).toEqual([c]);
      expect(await store.readAudit(1, 1)).toEqual([a]);
      expect(await store.auditHead()).toEqual({ seq: 3, hash: c?.hash });
    });

    it('refuses malformed audit events and changes nothing', async () => {
      const bad = [
        { ...makeAuditEvent(), extra: 1 },
        makeAuditEvent({ data: { when: new Date(T0) } }),
        makeAuditEvent({ data: { n: Number.NaN } }),
        makeAuditEvent({ activity: '' }),
      ];
      for (const event of bad) {
        expect(['audit_write_failed', 'invalid_request']).toContain(await code(store.appendAudit(event)));
      }
      expect(await store.auditHead()).toEqual({ seq: 0, hash: GENESIS_HASH });
    });

    it('keeps one chain when several instances append concurrently', async () => {
      const other = await h.openAnother();
      try {
        await Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            i % 3 === 0
              ? other.appendAudit(makeAuditEvent({ activityId: i }))
              : store.transaction(async (tx) => {
                  await tx.putSetting(`s${i}`, i);
                  await tx.appendAudit(makeAuditEvent({ activityId: i }));
                }),
          ),
        );
        const records = await store.readAudit(1, 100);
        expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
        let prev = GENESIS_HASH;
        for (const r of records) {
          expect(r.prevHash).toBe(prev);
          expect(hashAuditRecord(r)).toBe(r.hash);
          prev = r.hash;
        }
        expect(new Set(records.map((r) => r.activityId)).size).toBe(30);
      } finally {
        await other.close();
      }
    });

    it('commits a change and its audit record together', async () => {
      const record = await store.transaction(async (tx) => {
        await tx.createUser(makeUser({ id: 'u1' }));
        return tx.appendAudit(makeAuditEvent({ classUid: 3001, activity: 'user.create' }));
      });
      expect(await store.getUser('u1')).toBeDefined();
      expect(await store.readAudit(1, 10)).toEqual([record]);
    });

    it('rolls back the change and the audit record when the transaction throws after appendAudit', async () => {
      const boom = new Error('boom');
      await expect(
        store.transaction(async (tx) => {
          await tx.createUser(makeUser({ id: 'u1' }));
          await tx.appendAudit(makeAuditEvent());
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await store.getUser('u1')).toBeUndefined();
      expect(await store.readAudit(1, 10)).toEqual([]);
      expect(await store.auditHead()).toEqual({ seq: 0, hash: GENESIS_HASH });
      // The chain continues from the genesis hash, not from the rolled-back record.
      expect((await store.appendAudit(makeAuditEvent())).prevHash).toBe(GENESIS_HASH);
    });

    it('fails closed: a change whose audit record cannot be written does not happen', async () => {
      const error = await store
        .transaction(async (tx) => {
          await tx.setUserStatus('u1', 'locked').catch(() => undefined);
          await tx.createUser(makeUser({ id: 'u1' }));
          await tx.appendAudit(makeAuditEvent({ data: { bad: Number.POSITIVE_INFINITY } }));
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BrokerError);
      expect(await store.getUser('u1')).toBeUndefined();
    });

    it('keeps concurrent transactions independent: one that throws takes none of its neighbours with it', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 30 }, (_, i) =>
          store.transaction(async (tx) => {
            await tx.putSetting(`k${i}`, i);
            await tx.appendAudit(makeAuditEvent({ activityId: i }));
            if (i % 3 === 0) throw new Error(`fail ${i}`);
            return i;
          }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(20);
      for (let i = 0; i < 30; i++) expect(await store.getSetting(`k${i}`)).toBe(i % 3 === 0 ? undefined : i);
      const records = await store.readAudit(1, 100);
      expect(records.map((r) => r.activityId).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 30 }, (_, i) => i).filter((i) => i % 3 !== 0),
      );
      let prev = GENESIS_HASH;
      for (const r of records) {
        expect([r.prevHash, hashAuditRecord(r)]).toEqual([prev, r.hash]);
        prev = r.hash;
      }
    });

    it('serializes concurrent transactions without losing updates', async () => {
      await store.putSetting('n', 0);
      await Promise.all(
        Array.from({ length: 20 }, () =>
          store.transaction(async (tx) => {
            const n = (await tx.getSetting<number>('n')) ?? 0;
            await new Promise((resolve) => setTimeout(resolve, 1));
            await tx.putSetting('n', n + 1);
          }),
        ),
      );
      expect(await store.getSetting('n')).toBe(20);
    });

    it('does not let a call outside a transaction join (and roll back with) another open transaction', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const failing = store.transaction(async (tx) => {
        await tx.putSetting('inside', 1);
        await gate;
        throw new Error('roll back');
      });
      const outside = store.putSetting('outside', 1);
      release();
      await expect(failing).rejects.toThrow('roll back');
      await outside;
      expect(await store.getSetting('inside')).toBeUndefined();
      expect(await store.getSetting('outside')).toBe(1);
    });

    it('refuses nested transactions and store calls from inside a transaction, without deadlock', async () => {
      const inner = await store
        .transaction(async (tx) => {
          await tx.putSetting('a', 1);
          const nested = await code(store.transaction(async () => undefined));
          const direct = await code(store.getSetting('a'));
          return [nested, direct];
        })
        .catch((e: unknown) => e);
      expect(inner).toEqual(['store_failed', 'store_failed']);
      expect(await store.getSetting('a')).toBe(1);
    });

    it('refuses a transaction handle used after the transaction ended', async () => {
      let leaked: Parameters<Parameters<Store['transaction']>[0]>[0] | undefined;
      await store.transaction(async (tx) => {
        leaked = tx;
      });
      expect(await code(leaked?.putSetting('late', 1) ?? Promise.resolve())).toBe('store_failed');
      expect(await store.getSetting('late')).toBeUndefined();
    });

    it('stores checkpoints that match records and move forward only', async () => {
      const a = await store.appendAudit(makeAuditEvent());
      const b = await store.appendAudit(makeAuditEvent());
      const cp = { seq: a.seq, hash: a.hash, time: T0, keyId: 'k', signature: 'sig' };
      expect(await store.lastCheckpoint()).toBeUndefined();
      await store.appendCheckpoint(cp);
      expect(await code(store.appendCheckpoint(cp))).toBe('conflict');
      expect(await code(store.appendCheckpoint({ ...cp, seq: b.seq }))).toBe('conflict');
      expect(await code(store.appendCheckpoint({ ...cp, seq: 99 }))).toBe('conflict');
      const cp2 = { ...cp, seq: b.seq, hash: b.hash };
      await store.appendCheckpoint(cp2);
      expect(await store.listCheckpoints()).toEqual([cp, cp2]);
      expect(await store.lastCheckpoint()).toEqual(cp2);
    });

    deviceStoreConformance(() => h);
    jitStoreConformance(() => h);
    alertStoreConformance(() => h);
    reviewStoreConformance(() => h);
    issuedCredentialStoreConformance(() => h);
  });
}
