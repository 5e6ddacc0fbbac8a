import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../store/SqliteStore.js';
import { openTempSqliteStore, type TempSqliteStore } from '../store/tempSqliteStore.js';
import { makeAuditEvent, T0 } from '../store/storeFixtures.js';
import { AuditCheckpointer } from './AuditCheckpointer.js';
import { loadAuditSigner, type AuditSigner } from './AuditSigner.js';
import { checkpointSigningInput } from './checkpointSigningInput.js';
import { createPublicKey, verify } from 'node:crypto';

describe('AuditCheckpointer', () => {
  let temp: TempSqliteStore;
  let store: SqliteStore;
  let signer: AuditSigner;
  let clock: number;
  const append = (n: number) => store.appendAuditBatch(Array.from({ length: n }, () => makeAuditEvent()));

  beforeEach(async () => {
    temp = await openTempSqliteStore('sr-cp-');
    ({ store } = temp);
    signer = await loadAuditSigner(store);
    clock = T0;
  });
  afterEach(async () => {
    await temp.dispose();
  });

  it('signs after N records, or after T ms with fewer, and never twice for one head', async () => {
    const cp = new AuditCheckpointer(store, signer, { everyRecords: 10, everyMs: 5000, now: () => clock });
    expect(await cp.tick()).toBe(false);
    await append(9);
    expect(await cp.tick()).toBe(false);
    await append(1);
    expect(await cp.tick()).toBe(true);
    expect((await store.lastCheckpoint())?.seq).toBe(10);
    expect(await cp.tick()).toBe(false);
    await append(3);
    expect(await cp.tick()).toBe(false);
    clock += 4999;
    expect(await cp.tick()).toBe(false);
    clock += 1;
    expect(await cp.tick()).toBe(true);
    expect((await store.listCheckpoints()).map((c) => c.seq)).toEqual([10, 13]);
  });

  it('signs {seq, hash, time} with the exported Ed25519 key', async () => {
    await append(2);
    const cp = new AuditCheckpointer(store, signer, { everyRecords: 1, now: () => clock });
    await cp.tick();
    const checkpoint = await store.lastCheckpoint();
    if (!checkpoint) throw new Error('no checkpoint');
    expect(checkpoint).toMatchObject({
      seq: 2,
      hash: (await store.auditHead()).hash,
      time: T0,
      keyId: signer.keyId,
    });
    const key = createPublicKey({ key: { ...signer.publicJwk }, format: 'jwk' });
    const data = Buffer.from(checkpointSigningInput(checkpoint));
    expect(verify(null, data, key, Buffer.from(checkpoint.signature, 'base64url'))).toBe(true);
  });

  it('lets two instances race for the same head without error', async () => {
    const other = await temp.openAnother();
    try {
      await append(5);
      const a = new AuditCheckpointer(store, signer, { everyRecords: 1, now: () => clock });
      const b = new AuditCheckpointer(other, await loadAuditSigner(other), {
        everyRecords: 1,
        now: () => clock,
      });
      const results = await Promise.all([a.tick(), b.tick()]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.listCheckpoints()).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('signs what is unsigned when stopped', async () => {
    const cp = new AuditCheckpointer(store, signer, { everyRecords: 1000, pollMs: 60_000, now: () => clock });
    cp.start();
    await append(3);
    await cp.stop();
    expect((await store.lastCheckpoint())?.seq).toBe(3);
  });
});
