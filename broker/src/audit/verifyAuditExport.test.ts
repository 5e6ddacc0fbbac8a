import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../store/SqliteStore.js';
import { openTempSqliteStore, type TempSqliteStore } from '../store/tempSqliteStore.js';
import { makeAuditEvent, T0 } from '../store/storeFixtures.js';
import type { AuditRecord } from './AuditEvent.js';
import { recordLine } from './auditExportFormat.js';
import { loadAuditSigner, type AuditSigner } from './AuditSigner.js';
import { buildAuditExport, makeAuditSigner, verifyLines } from './auditTestSupport.js';
import { checkpointSigningInput } from './checkpointSigningInput.js';
import { exportAudit } from './exportAudit.js';
import { hashAuditRecord } from './hashAuditRecord.js';
import { verifyAuditExport } from './verifyAuditExport.js';
import { writeCheckpoint } from './writeCheckpoint.js';

type Json = Record<string, unknown>;

describe('audit export and verify', () => {
  let temp: TempSqliteStore;
  let dir: string;
  let store: SqliteStore;
  let signer: AuditSigner;
  /** The export of 30 records with checkpoints after 10 and 20. */
  let lines: string[];

  const parse = (line: string | undefined): Json => JSON.parse(line ?? 'null') as Json;
  const indexOfRecord = (seq: number) =>
    lines.findIndex((l) => parse(l)['type'] === 'record' && body(l)['seq'] === seq);
  const indexOfCheckpoint = (seq: number) =>
    lines.findIndex((l) => parse(l)['type'] === 'checkpoint' && parse(l)['seq'] === seq);
  /** The record inside a record line (without its hash). */
  const body = (line: string | undefined): Json => (parse(line)['record'] ?? {}) as Json;
  /** A record line for `record` with its hash recomputed, as a forger would. */
  const rehash = (record: Json): string => {
    const r = { ...record, hash: undefined } as unknown as AuditRecord;
    return recordLine({ ...r, hash: hashAuditRecord(r) });
  };

  beforeEach(async () => {
    temp = await openTempSqliteStore('sr-audit-');
    ({ dir, store } = temp);
    signer = await loadAuditSigner(store);
    for (let i = 1; i <= 30; i++) {
      await store.appendAudit(
        makeAuditEvent({ activityId: i % 7, time: T0 + i, data: { i, who: `user-${i}` } }),
      );
      if (i % 10 === 0 && i < 30) await writeCheckpoint(store, signer, T0 + i);
    }
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await exportAudit(store, out, { signer, now: () => T0 + 1000 });
    out.end();
    lines = Buffer.concat(chunks).toString('utf8').trimEnd().split('\n');
  });
  afterEach(async () => {
    await temp.dispose();
  });

  it('keeps one audit key across loads and exports the chain with its checkpoints', async () => {
    expect((await loadAuditSigner(store)).keyId).toBe(signer.keyId);
    expect(lines).toHaveLength(1 + 30 + 2 + 1);
    expect(parse(lines[indexOfRecord(10) + 1])['type']).toBe('checkpoint');
    const result = await verifyLines(lines);
    expect(result).toEqual({
      ok: true,
      records: 30,
      checkpoints: 2,
      seq: 30,
      hash: (await store.auditHead()).hash,
      keyIds: [signer.keyId],
    });
  });

  it('verifies a file on disk, and with the key id pinned', async () => {
    const file = join(dir, 'audit.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    expect((await verifyAuditExport(file)).ok).toBe(true);
    expect((await verifyAuditExport(file, { trustedKeyIds: [signer.keyId] })).ok).toBe(true);
  });

  it('names an edited record', async () => {
    const i = indexOfRecord(14);
    lines[i] = JSON.stringify({ ...parse(lines[i]), record: { ...body(lines[i]), activity: 'logout' } });
    expect(await verifyLines(lines)).toMatchObject({ ok: false, problem: 'edited', seq: 14, line: i + 1 });
  });

  it('names an edited record even when its own hash was recomputed', async () => {
    const i = indexOfRecord(14);
    lines[i] = rehash({ ...body(lines[i]), statusId: 2 });
    expect(await verifyLines(lines)).toMatchObject({ ok: false, problem: 'edited', seq: 14 });
  });

  it('catches a rewritten tail (every hash recomputed) at the next checkpoint', async () => {
    let prev = '';
    for (let seq = 14; seq <= 30; seq++) {
      const i = indexOfRecord(seq);
      const obj = body(lines[i]);
      if (seq === 14) obj['statusId'] = 2;
      else obj['prevHash'] = prev;
      lines[i] = rehash(obj);
      prev = String(parse(lines[i])['hash']);
    }
    expect(await verifyLines(lines)).toMatchObject({ ok: false, problem: 'bad_checkpoint', seq: 11 });
  });

  it('names a deleted record', async () => {
    lines.splice(indexOfRecord(7), 1);
    expect(await verifyLines(lines)).toMatchObject({ ok: false, problem: 'deleted', seq: 7 });
  });

  it('names the first of two swapped records', async () => {
    const [i, j] = [indexOfRecord(5), indexOfRecord(6)];
    [lines[i], lines[j]] = [lines[j] ?? '', lines[i] ?? ''];
    expect(await verifyLines(lines)).toMatchObject({ ok: false, problem: 'reordered', seq: 5 });
  });

  it('detects a tail cut off right after a checkpoint', async () => {
    const cut = lines.slice(0, indexOfCheckpoint(20) + 1);
    expect(await verifyLines(cut)).toMatchObject({ ok: false, problem: 'truncated', seq: 21 });
  });

  it('detects records cut off before an intact end line', async () => {
    const cut = [...lines.slice(0, indexOfRecord(25) + 1), lines[lines.length - 1] ?? ''];
    expect(await verifyLines(cut)).toMatchObject({ ok: false, problem: 'truncated', seq: 26 });
  });

  it('detects a deleted checkpoint', async () => {
    lines.splice(indexOfCheckpoint(10), 1);
    expect(await verifyLines(lines)).toMatchObject({ ok: false, problem: 'deleted' });
  });

  it('rejects a forged checkpoint signature', async () => {
    const i = indexOfCheckpoint(20);
    const forger = await makeAuditSigner();
    const cp = parse(lines[i]);
    const signature = forger.sign(checkpointSigningInput({ seq: 20, hash: String(cp['hash']), time: 1 }));
    lines[i] = JSON.stringify({ ...cp, time: 1, signature });
    expect(await verifyLines(lines)).toMatchObject({ ok: false, problem: 'bad_checkpoint', seq: 11 });
  });

  it('rejects a replaced public key', async () => {
    const forger = await makeAuditSigner();
    lines[0] = JSON.stringify({ ...parse(lines[0]), keys: [forger.publicJwk] });
    expect(await verifyLines(lines)).toMatchObject({ ok: false, problem: 'bad_key', seq: 1 });
  });

  it('rejects an export re-signed end to end with another key when the key id is pinned', async () => {
    const forger = await makeAuditSigner();
    const events = lines.slice(1, -1).flatMap((l) => {
      if (parse(l)['type'] !== 'record') return [];
      const obj = body(l);
      return [{ ...obj, seq: undefined, prevHash: undefined } as never];
    });
    const forged = await buildAuditExport(events, forger, (seq) => seq % 10 === 0);
    expect((await verifyLines(forged)).ok).toBe(true);
    expect(await verifyLines(forged, { trustedKeyIds: [signer.keyId] })).toMatchObject({
      ok: false,
      problem: 'bad_key',
    });
  });

  it('rejects empty, non-JSON and headerless input', async () => {
    expect(await verifyLines([])).toMatchObject({ ok: false, problem: 'malformed' });
    expect(await verifyLines(['not json'])).toMatchObject({ ok: false, problem: 'malformed', line: 1 });
    expect(await verifyLines(lines.slice(1))).toMatchObject({ ok: false, problem: 'malformed', line: 1 });
    expect(await verifyLines([...lines, lines[1] ?? ''])).toMatchObject({ ok: false, problem: 'malformed' });
  });
});
