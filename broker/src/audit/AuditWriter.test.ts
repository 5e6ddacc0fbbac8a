import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BrokerError } from '../errors/BrokerError.js';
import type { SqliteStore } from '../store/SqliteStore.js';
import { openTempSqliteStore, type TempSqliteStore } from '../store/tempSqliteStore.js';
import { makeAuditEvent } from '../store/storeFixtures.js';
import { AuditWriter } from './AuditWriter.js';
import { hashAuditRecord } from './hashAuditRecord.js';

describe('AuditWriter (group commit)', () => {
  let temp: TempSqliteStore;
  let store: SqliteStore;
  beforeEach(async () => {
    temp = await openTempSqliteStore('sr-writer-');
    ({ store } = temp);
  });
  afterEach(async () => {
    await temp.dispose();
  });

  it('commits concurrently submitted records together, in order, each resolved once durable', async () => {
    const commits = vi.spyOn(store, 'appendAuditBatch');
    const writer = new AuditWriter(store);
    const records = await Promise.all(
      Array.from({ length: 500 }, (_, i) => writer.append(makeAuditEvent({ activityId: i % 200 }))),
    );
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(commits.mock.calls.length).toBeLessThan(5);
    expect(await store.readAudit(1, 1000)).toEqual(records);
    for (const r of records) expect(hashAuditRecord(r)).toBe(r.hash);
  });

  it('keeps batching while a commit is in flight and respects maxBatch', async () => {
    const commits = vi.spyOn(store, 'appendAuditBatch');
    const writer = new AuditWriter(store, { maxBatch: 10 });
    const first = writer.append(makeAuditEvent());
    const rest = Array.from({ length: 35 }, () => writer.append(makeAuditEvent()));
    await Promise.all([first, ...rest]);
    await writer.flushed();
    expect(commits.mock.calls.every(([events]) => events.length <= 10)).toBe(true);
    expect((await store.auditHead()).seq).toBe(36);
  });

  it('refuses a malformed event alone; the rest of the batch commits', async () => {
    const writer = new AuditWriter(store);
    const good = writer.append(makeAuditEvent());
    const bad = writer.append(makeAuditEvent({ data: { n: Number.NaN } }));
    await expect(bad).rejects.toBeInstanceOf(BrokerError);
    expect((await good).seq).toBe(1);
  });

  it('rejects every record of a batch whose commit fails (nothing half-written)', async () => {
    const writer = new AuditWriter(store);
    await store.close();
    const results = await Promise.allSettled([
      writer.append(makeAuditEvent()),
      writer.append(makeAuditEvent()),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    store = await temp.openAnother();
    expect((await store.auditHead()).seq).toBe(0);
  });
});
