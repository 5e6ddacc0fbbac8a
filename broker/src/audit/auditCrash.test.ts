import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../store/SqliteStore.js';
import { openTempSqliteStore, type TempSqliteStore } from '../store/tempSqliteStore.js';
import { loadAuditSigner } from './AuditSigner.js';
import { exportAudit } from './exportAudit.js';
import { verifyAuditExport } from './verifyAuditExport.js';

// The child runs the built store (`npx tsc -b` first, as for every test that crosses processes).
const dist = (path: string) => new URL(`../../dist/${path}`, import.meta.url).href;

/** Appends forever (a change + its record per transaction, plus group-committed records), printing each acknowledged seq. */
const child = `
  const { openSqliteStore } = await import(${JSON.stringify(dist('store/SqliteStore.js'))});
  const { AuditWriter } = await import(${JSON.stringify(dist('audit/AuditWriter.js'))});
  const store = await openSqliteStore(process.argv[1]);
  const writer = new AuditWriter(store);
  const event = (i) => ({ classUid: 3002, activityId: 1, activity: 'login', statusId: 1, actor: { kind: 'user', userId: 'u' + i }, time: i });
  for (let i = 0; ; i++) {
    const r = await store.transaction(async (tx) => {
      await tx.putSetting('last', i);
      return tx.appendAudit(event(i));
    });
    process.stdout.write(r.seq + '\\n');
    const batch = await Promise.all(Array.from({ length: 20 }, (_, k) => writer.append(event(i * 100 + k))));
    process.stdout.write(batch.map((b) => b.seq).join('\\n') + '\\n');
  }
`;

describe('audit log under SIGKILL', () => {
  let temp: TempSqliteStore;
  beforeEach(async () => {
    temp = await openTempSqliteStore('sr-crash-');
    await temp.store.close();
  });
  afterEach(() => temp.dispose());

  it('keeps every acknowledged record and a chain that verifies after the writer is killed mid-stream', async () => {
    const proc = spawn(process.execPath, ['--input-type=module', '-e', child, temp.dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acked: number[] = [];
    let partial = '';
    await new Promise<void>((resolve, reject) => {
      proc.on('error', reject);
      proc.stdout.on('data', (chunk: Buffer) => {
        const text = partial + chunk.toString();
        const lines = text.split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) acked.push(Number(line));
        // Kill without warning once it is well into the stream, in the middle of whatever it is doing.
        if (acked.length >= 400 && proc.exitCode === null && !proc.killed) proc.kill('SIGKILL');
      });
      proc.on('exit', () => resolve());
    });
    expect(acked.length).toBeGreaterThanOrEqual(400);

    const store = await openSqliteStore(temp.dir);
    try {
      const head = await store.auditHead();
      expect(head.seq).toBeGreaterThanOrEqual(Math.max(...acked));
      const records = await store.readAudit(1, head.seq);
      const present = new Set(records.map((r) => r.seq));
      expect(acked.filter((seq) => !present.has(seq))).toEqual([]);
      // The last committed change has its audit record (same transaction), whatever the kill interrupted.
      const last = await store.getSetting<number>('last');
      expect(records.some((r) => r.actor.userId === `u${String(last)}` && r.time === last)).toBe(true);

      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (c: Buffer) => chunks.push(c));
      await exportAudit(store, out, { signer: await loadAuditSigner(store) });
      out.end();
      const result = await verifyAuditExport(PassThrough.from([Buffer.concat(chunks)]));
      expect(result).toMatchObject({ ok: true, records: head.seq });
    } finally {
      await store.close();
    }
  });
});
