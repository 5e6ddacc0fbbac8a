import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { BrokerError } from '../errors/BrokerError.js';
import type { DeviceRecord, PostureNonceRecord } from './deviceRecords.js';
import type { StoreHarness } from './storeConformance.js';
import { makeAuditEvent, makeUser, T0 } from './storeFixtures.js';

export function makeDevice(userId: string, overrides: Partial<DeviceRecord> = {}): DeviceRecord {
  const id = overrides.id ?? randomUUID();
  return {
    id,
    userId,
    thumbprint: `tp-${id}`,
    publicJwk: { kty: 'EC', crv: 'P-256', x: 'x'.repeat(43), y: 'y'.repeat(43) },
    keyProtection: 'software',
    os: 'linux',
    osVersion: 'Debian GNU/Linux 12',
    hostname: 'ada-laptop',
    model: null,
    serial: null,
    status: 'active',
    enrolledAt: T0,
    lastSeenAt: T0,
    replacedBy: null,
    ...overrides,
  };
}

export function makePostureNonce(
  userId: string,
  deviceId: string,
  overrides: Partial<PostureNonceRecord> = {},
): PostureNonceRecord {
  return {
    nonceHash: randomUUID(),
    userId,
    deviceId,
    createdAt: T0,
    expiresAt: T0 + 120_000,
    usedAt: null,
    ...overrides,
  };
}

const codeOf = async (p: Promise<unknown>): Promise<string> => {
  const error: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  return error instanceof BrokerError ? error.code : `not a BrokerError: ${String(error)}`;
};

/**
 * Device registry tests of the store conformance suite (issue 4), registered inside
 * `storeConformance` so SQLite and PostgreSQL both run them.
 */
export function deviceStoreConformance(harness: () => StoreHarness): void {
  it('enrolls devices with a unique key thumbprint, lists them per user and changes status', async () => {
    const { store } = harness();
    await store.createUser(makeUser({ id: 'u1' }));
    await store.createUser(makeUser({ id: 'u2' }));
    const d1 = makeDevice('u1', { id: 'd1', model: 'ThinkPad X1', serial: 'PF123' });
    await store.createDevice(d1);
    await store.createDevice(makeDevice('u1', { id: 'd2', enrolledAt: T0 + 1, keyProtection: 'tpm' }));
    await store.createDevice(makeDevice('u2', { id: 'd3' }));
    expect(await store.getDevice('d1')).toEqual(d1);
    expect(await store.getDeviceByThumbprint('tp-d1')).toEqual(d1);
    expect(await store.getDevice('nope')).toBeUndefined();
    expect(await store.getDeviceByThumbprint('nope')).toBeUndefined();
    expect((await store.listDevices('u1')).map((d) => d.id)).toEqual(['d1', 'd2']);
    expect(await store.listDevices('nobody')).toEqual([]);
    // One key, one device: the same thumbprint cannot be enrolled twice, for anyone.
    expect(await codeOf(store.createDevice(makeDevice('u2', { thumbprint: 'tp-d1' })))).toBe('conflict');
    expect(await codeOf(store.createDevice(makeDevice('no-such-user')))).toBe('not_found');
    await store.setDeviceStatus('d1', 'replaced', 'd2');
    expect(await store.getDevice('d1')).toMatchObject({ status: 'replaced', replacedBy: 'd2' });
    await store.setDeviceStatus('d1', 'locked');
    expect(await store.getDevice('d1')).toMatchObject({ status: 'locked', replacedBy: null });
    expect(await codeOf(store.setDeviceStatus('nope', 'removed'))).toBe('not_found');
    await store.touchDevice('d2', T0 + 50);
    await store.touchDevice('d2', T0 + 10); // never moves backwards
    expect((await store.getDevice('d2'))?.lastSeenAt).toBe(T0 + 50);
  });

  it('keeps only the latest posture of a device', async () => {
    const { store } = harness();
    await store.createUser(makeUser({ id: 'u1' }));
    await store.createDevice(makeDevice('u1', { id: 'd1' }));
    expect(await store.getDevicePosture('d1')).toBeUndefined();
    const first = {
      deviceId: 'd1',
      attestedAt: T0,
      compliant: false,
      agentVersion: '0.1.0',
      platform: 'linux',
      checks: [{ id: 'firewall', status: 'fail' as const, observed: 'no rules' }],
    };
    await store.putDevicePosture(first);
    expect(await store.getDevicePosture('d1')).toEqual(first);
    const second = { ...first, attestedAt: T0 + 1, compliant: true, checks: [] };
    await store.putDevicePosture(second);
    expect(await store.getDevicePosture('d1')).toEqual(second);
    expect(await codeOf(store.putDevicePosture({ ...first, deviceId: 'nope' }))).toBe('not_found');
  });

  it('posture nonces are single use, bound to user and device, and expire', async () => {
    const { store } = harness();
    const n = makePostureNonce('u1', 'd1', { nonceHash: 'n1' });
    await store.createPostureNonce(n);
    expect(await codeOf(store.createPostureNonce(n))).toBe('conflict');
    expect(await store.consumePostureNonce('n1', 'u1', 'd2', T0 + 1)).toBe('wrong_device');
    expect(await store.consumePostureNonce('n1', 'u2', 'd1', T0 + 1)).toBe('wrong_device');
    expect(await store.consumePostureNonce('n1', 'u1', 'd1', n.expiresAt)).toBe('expired');
    expect(await store.consumePostureNonce('n1', 'u1', 'd1', T0 + 1)).toBe('ok');
    expect(await store.consumePostureNonce('n1', 'u1', 'd1', T0 + 2)).toBe('used');
    expect(await store.consumePostureNonce('nope', 'u1', 'd1', T0 + 2)).toBe('unknown');
    await store.createPostureNonce(makePostureNonce('u1', 'd1', { nonceHash: 'n2', expiresAt: T0 + 10 }));
    expect(await store.sweepDeviceState(T0 + 10)).toBe(1);
    expect(await store.consumePostureNonce('n2', 'u1', 'd1', T0 + 1)).toBe('unknown');
  });

  it('consumes a posture nonce exactly once under concurrency, across instances', async () => {
    const h = harness();
    await h.store.createPostureNonce(makePostureNonce('u1', 'd1', { nonceHash: 'race' }));
    const other = await h.openAnother();
    try {
      const attempts = Array.from({ length: 16 }, (_, i) =>
        (i % 2 ? other : h.store).consumePostureNonce('race', 'u1', 'd1', T0 + i + 1),
      );
      const results = await Promise.all(attempts);
      expect(results.filter((r) => r === 'ok')).toHaveLength(1);
      expect(results.filter((r) => r === 'used')).toHaveLength(15);
    } finally {
      await other.close();
    }
  });

  it('records a proof jti once until it expires, across instances', async () => {
    const h = harness();
    const other = await h.openAnother();
    try {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? other : h.store).recordProofJti('j1', T0 + 60_000, T0)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await h.store.recordProofJti('j1', T0 + 60_000, T0 + 59_999)).toBe(false);
      // Once expired it may be taken again (the proof's iat window has long passed by then).
      expect(await h.store.recordProofJti('j1', T0 + 120_000, T0 + 60_000)).toBe(true);
      expect(await h.store.sweepDeviceState(T0 + 120_000)).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('rolls back a device enrollment whose audit record fails', async () => {
    const { store } = harness();
    await store.createUser(makeUser({ id: 'u1' }));
    const failed = await codeOf(
      store.transaction(async (tx) => {
        await tx.createDevice(makeDevice('u1', { id: 'd1' }));
        await tx.appendAudit(makeAuditEvent({ activity: '' }));
      }),
    );
    expect(failed).toBe('audit_write_failed');
    expect(await store.getDevice('d1')).toBeUndefined();
  });
}
