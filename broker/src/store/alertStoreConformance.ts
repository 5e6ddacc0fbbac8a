import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { AlertRecord, LockRecord, WebhookDeliveryRecord } from './alertRecords.js';
import type { StoreHarness } from './storeConformance.js';
import { makeOidcRecord, makeUser, T0 } from './storeFixtures.js';

export function makeAlert(overrides: Partial<AlertRecord> = {}): AlertRecord {
  const id = overrides.id ?? randomUUID();
  return {
    id,
    detector: 'denial-burst',
    severity: 'high',
    action: 'alert',
    userId: 'ann',
    deviceId: null,
    summary: 'ann: 12 denials in 60 s',
    data: { count: 12 },
    auditSeq: 7,
    dedupeKey: `denial-burst:${id}`,
    createdAt: T0,
    status: 'open',
    ackedBy: null,
    ackedAt: null,
    ackNote: null,
    lockId: null,
    ...overrides,
  };
}

export function makeLock(overrides: Partial<LockRecord> = {}): LockRecord {
  return {
    id: randomUUID(),
    kind: 'user',
    userId: 'ann',
    deviceId: null,
    reason: 'issuance volume far above baseline',
    alertId: null,
    lockedBy: null,
    lockedAt: T0,
    unlockedBy: null,
    unlockedAt: null,
    unlockReason: null,
    ...overrides,
  };
}

export function makeDelivery(overrides: Partial<WebhookDeliveryRecord> = {}): WebhookDeliveryRecord {
  return {
    id: randomUUID(),
    url: 'https://hooks.example.test/services/T0/B0/secret',
    event: 'alert',
    body: '{"text":"alert"}',
    alertId: null,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: T0,
    lastStatus: null,
    lastError: null,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

/** Alert, lock, delivery and attribute tests of the store conformance suite (issue 9). */
export function alertStoreConformance(harness: () => StoreHarness): void {
  it('alerts: one per dedupe key, newest first, acknowledged once', async () => {
    const { store } = harness();
    const a = makeAlert({ dedupeKey: 'k1' });
    expect(await store.createAlert(a)).toBe(true);
    // Another instance tailing the same log raises the same alert: nothing new is stored.
    expect(await store.createAlert(makeAlert({ dedupeKey: 'k1' }))).toBe(false);
    const b = makeAlert({ createdAt: T0 + 1, userId: 'bob' });
    await store.createAlert(b);
    expect(await store.getAlert(a.id)).toEqual(a);
    expect((await store.listAlerts({ limit: 10 })).map((x) => x.id)).toEqual([b.id, a.id]);
    expect((await store.listAlerts({ userId: 'bob', limit: 10 })).map((x) => x.id)).toEqual([b.id]);
    expect(await store.ackAlert(a.id, 'admin', T0 + 5, 'looked at it')).toBe(true);
    expect(await store.ackAlert(a.id, 'admin2', T0 + 6, null)).toBe(false);
    expect(await store.getAlert(a.id)).toMatchObject({
      status: 'acknowledged',
      ackedBy: 'admin',
      ackedAt: T0 + 5,
      ackNote: 'looked at it',
    });
    expect((await store.listAlerts({ status: 'open', limit: 10 })).map((x) => x.id)).toEqual([b.id]);
    await store.setAlertLock(b.id, 'lock-1');
    expect((await store.getAlert(b.id))?.lockId).toBe('lock-1');
  });

  it('locks: at most one in force per user or device; ending one allows a new one', async () => {
    const { store } = harness();
    await store.createUser(makeUser({ id: 'ann' }));
    const first = makeLock();
    expect(await store.createLock(first)).toBe(true);
    expect(await store.createLock(makeLock({ lockedBy: 'admin' }))).toBe(false);
    // A device lock of the same person is another subject.
    const device = makeLock({ kind: 'device', deviceId: 'd1' });
    expect(await store.createLock(device)).toBe(true);
    expect(await store.createLock(makeLock({ kind: 'device', deviceId: 'd1' }))).toBe(false);
    expect(await store.getActiveLock('user', 'ann')).toEqual(first);
    expect(await store.getActiveLock('device', 'd1')).toEqual(device);
    expect(await store.getActiveLock('device', 'ann')).toBeUndefined();
    expect(await store.endLock(first.id, 'admin', T0 + 10, 'checked with the team')).toBe(true);
    expect(await store.endLock(first.id, 'admin2', T0 + 11, 'again')).toBe(false);
    expect(await store.getLock(first.id)).toMatchObject({
      unlockedBy: 'admin',
      unlockedAt: T0 + 10,
      unlockReason: 'checked with the team',
    });
    expect(await store.getActiveLock('user', 'ann')).toBeUndefined();
    const again = makeLock({ lockedAt: T0 + 20 });
    expect(await store.createLock(again)).toBe(true);
    expect((await store.listLocks({ active: true, limit: 10 })).map((l) => l.id).sort()).toEqual(
      [again.id, device.id].sort(),
    );
    expect((await store.listLocks({ active: false, limit: 10 })).map((l) => l.id)).toEqual([first.id]);
    expect((await store.listLocks({ userId: 'ann', limit: 10 }))[0]?.id).toBe(again.id);
  });

  it('locks: a transaction that fails after locking leaves no lock', async () => {
    const { store } = harness();
    await store.createUser(makeUser({ id: 'ann' }));
    await expect(
      store.transaction(async (tx) => {
        await tx.createLock(makeLock());
        throw new Error('the audit record could not be written');
      }),
    ).rejects.toThrow(/could not be written/);
    expect(await store.getActiveLock('user', 'ann')).toBeUndefined();
  });

  it('webhook deliveries: due list, one claim wins, attempts recorded, dead letters listed', async () => {
    const { store } = harness();
    const d = makeDelivery();
    const later = makeDelivery({ nextAttemptAt: T0 + 60_000 });
    await store.enqueueWebhookDelivery(d);
    await store.enqueueWebhookDelivery(later);
    expect((await store.listDueWebhookDeliveries(T0, 10)).map((x) => x.id)).toEqual([d.id]);
    expect(await store.claimWebhookDelivery(d.id, 0, T0, T0 + 30_000)).toBe(true);
    // A second instance racing for the same delivery loses (it is leased, no longer due).
    expect(await store.claimWebhookDelivery(d.id, 0, T0, T0 + 30_000)).toBe(false);
    expect(await store.listDueWebhookDeliveries(T0 + 1, 10)).toEqual([]);
    await store.recordWebhookAttempt(d.id, {
      status: 'pending',
      attempts: 1,
      nextAttemptAt: T0 + 500,
      lastStatus: 503,
      lastError: 'HTTP 503',
      at: T0 + 1,
    });
    expect(await store.getWebhookDelivery(d.id)).toMatchObject({
      attempts: 1,
      nextAttemptAt: T0 + 500,
      lastStatus: 503,
      lastError: 'HTTP 503',
      status: 'pending',
      updatedAt: T0 + 1,
    });
    // A stale claim (wrong attempt count) fails.
    expect(await store.claimWebhookDelivery(d.id, 0, T0 + 600, T0 + 1_000)).toBe(false);
    await store.recordWebhookAttempt(d.id, {
      status: 'dead',
      attempts: 4,
      nextAttemptAt: T0 + 600,
      lastStatus: null,
      lastError: 'TypeError',
      at: T0 + 600,
    });
    expect((await store.listWebhookDeliveries({ status: 'dead', limit: 10 })).map((x) => x.id)).toEqual([
      d.id,
    ]);
    expect(await store.listDueWebhookDeliveries(T0 + 10 ** 9, 10)).toEqual([
      expect.objectContaining({ id: later.id }),
    ]);
  });

  it('user attributes: set, replace, remove, list by name', async () => {
    const { store } = harness();
    await store.createUser(makeUser({ id: 'ann' }));
    await store.createUser(makeUser({ id: 'bob' }));
    const hours = { zone: 'Europe/Berlin', start: 8, end: 18, days: [1, 2, 3, 4, 5] };
    await store.putUserAttribute('ann', 'workingHours', hours);
    await store.putUserAttribute('bob', 'workingHours', { ...hours, zone: 'UTC' });
    await store.putUserAttribute('ann', 'workingHours', { ...hours, end: 19 });
    expect(await store.getUserAttributes('ann')).toEqual({ workingHours: { ...hours, end: 19 } });
    expect(await store.listUserAttribute('workingHours')).toEqual([
      { userId: 'ann', value: { ...hours, end: 19 } },
      { userId: 'bob', value: { ...hours, zone: 'UTC' } },
    ]);
    await store.putUserAttribute('ann', 'workingHours', null);
    expect(await store.getUserAttributes('ann')).toEqual({});
  });

  it('oidcRevokeAccount ends every session of one account, or only those of one device key', async () => {
    const { store } = harness();
    const put = (
      model: string,
      id: string,
      payload: Record<string, unknown>,
      grantId: string | null = null,
    ) => store.oidcUpsert(makeOidcRecord({ model, id, payload, grantId }));
    await put('Session', 's-ann', { accountId: 'ann' });
    await put('Grant', 'g-ann-1', { accountId: 'ann' });
    await put('Grant', 'g-ann-2', { accountId: 'ann' });
    await put('RefreshToken', 'rt1', { accountId: 'ann', grantId: 'g-ann-1', jkt: 'laptop' }, 'g-ann-1');
    await put('AccessToken', 'at1', { accountId: 'ann', grantId: 'g-ann-1', jkt: 'laptop' }, 'g-ann-1');
    await put('RefreshToken', 'rt2', { accountId: 'ann', grantId: 'g-ann-2', jkt: 'desktop' }, 'g-ann-2');
    await put('Session', 's-bob', { accountId: 'bob' });
    await put('Grant', 'g-bob', { accountId: 'bob' });
    await put('RefreshToken', 'rt-bob', { accountId: 'bob', grantId: 'g-bob', jkt: 'laptop' }, 'g-bob');

    expect(await store.oidcRevokeAccount('ann', 'laptop')).toEqual(['g-ann-1']);
    expect(await store.oidcFind('RefreshToken', 'rt1')).toBeUndefined();
    expect(await store.oidcFind('AccessToken', 'at1')).toBeUndefined();
    expect(await store.oidcFind('Grant', 'g-ann-1')).toBeUndefined();
    expect(await store.oidcFind('RefreshToken', 'rt2')).toBeDefined();
    expect(await store.oidcFind('Session', 's-ann')).toBeDefined();

    expect(await store.oidcRevokeAccount('ann')).toEqual(['g-ann-2']);
    for (const [model, id] of [
      ['Session', 's-ann'],
      ['Grant', 'g-ann-2'],
      ['RefreshToken', 'rt2'],
    ] as const)
      expect(await store.oidcFind(model, id)).toBeUndefined();
    // Another person's sessions are untouched.
    expect(await store.oidcFind('Session', 's-bob')).toBeDefined();
    expect(await store.oidcFind('RefreshToken', 'rt-bob')).toBeDefined();
  });
}
