import { hash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  fdatasyncSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { finished } from 'node:stream/promises';
import Database from 'better-sqlite3';
import type { AuditEventInput } from '@strongroom/broker/audit/AuditEvent.js';
import { loadAuditSigner } from '@strongroom/broker/audit/AuditSigner.js';
import { AuditWriter } from '@strongroom/broker/audit/AuditWriter.js';
import { exportAudit } from '@strongroom/broker/audit/exportAudit.js';
import { authenticationEvent } from '@strongroom/broker/audit/ocsf.js';
import { verifyAuditExport } from '@strongroom/broker/audit/verifyAuditExport.js';
import { writeCheckpoint } from '@strongroom/broker/audit/writeCheckpoint.js';
import { openSqliteStore } from '@strongroom/broker/store/SqliteStore.js';

/**
 * Audit log throughput (issue 2, "Benchmark"), each number beside a baseline measured in the same
 * run on the same disk:
 *
 *   1. durable single-writer append (one transaction and fsync per record) vs a bare SQLite insert
 *      of the same events as plain JSON (no validation, canonical encoding or hashing) with
 *      synchronous=FULL, and the disk's own append+fdatasync rate;
 *   1b. the same records each with a change in its own transaction from 32 concurrent callers
 *      (the store's group commit), against the same bare insert;
 *   2. group commit (AuditWriter, many records per fsync) vs the same bare inserts batched into
 *      transactions of the same size;
 *   3. `audit verify` of a real export vs a bare SHA-256 of every line of the same file.
 *
 *   node bench/dist/auditBench.js [--single 3000] [--group 200000] [--verify 1000000]
 *
 * Goals: ≥ 2,000 records/s single-writer, ≥ 20,000 records/s group commit, verify 1,000,000 < 10 s.
 */

const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  const value = i === -1 ? fallback : Number(args[i + 1]);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} needs a positive integer`);
  return value;
};
const SINGLE = arg('single', 3000);
const GROUP = arg('group', 200_000);
const VERIFY = arg('verify', 1_000_000);
const IN_FLIGHT = 10_000;
const CALLERS = 32;

const time0 = Date.UTC(2026, 0, 1);
function loginEvent(i: number): AuditEventInput {
  return authenticationEvent('logon', {
    name: 'login',
    outcome: i % 10 === 0 ? 'failure' : 'success',
    actor: { kind: 'user', userId: `user-${i % 500}`, email: `user-${i % 500}@example.test` },
    time: time0 + i,
    srcIp: '127.0.0.1',
    data: { clientId: 'strongroom-cli', credentialId: `cred-${i % 700}`, acr: 'phr', amr: ['hwk', 'user'] },
  });
}

interface Row {
  what: string;
  result: string;
  baseline: string;
  ratio: string;
  goal: string;
}
const rows: Row[] = [];
const perSecond = (n: number, ms: number) => (n * 1000) / ms;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function bareSqlite(dir: string): { insert: (body: string, i: number) => void; db: Database.Database } {
  const db = new Database(join(dir, 'bare.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(
    'CREATE TABLE t (seq INTEGER PRIMARY KEY, time BIGINT, class_uid INTEGER, activity TEXT, body TEXT)',
  );
  const statement = db.prepare('INSERT INTO t (seq, time, class_uid, activity, body) VALUES (?, ?, ?, ?, ?)');
  return { db, insert: (body, i) => statement.run(i, time0 + i, 3002, 'login', body) };
}

async function singleWriter(dir: string): Promise<void> {
  const events = Array.from({ length: SINGLE }, (_, i) => loginEvent(i + 1));
  const store = await openSqliteStore(join(dir, 'single'));
  let started = performance.now();
  for (const event of events) await store.appendAudit(event);
  const ours = perSecond(SINGLE, performance.now() - started);
  await store.close();

  const bare = bareSqlite(join(dir, 'single'));
  started = performance.now();
  events.forEach((event, i) => bare.insert(JSON.stringify(event), i + 1)); // auto-commit: one fsync per row
  const base = perSecond(SINGLE, performance.now() - started);
  bare.db.close();
  const disk = diskSyncsPerSecond(
    join(dir, 'single', 'sync.bin'),
    events.map((e) => JSON.stringify(e)),
  );
  const concurrent = await concurrentChanges(dir, events);
  rows.push({
    what: `append, durable, single writer (${fmt(SINGLE)} records)`,
    result: `${fmt(ours)} rec/s`,
    baseline: `bare SQLite insert, FULL, no hash: ${fmt(base)} rec/s (disk: ${fmt(disk)} append+fdatasync/s)`,
    ratio: `${(ours / base).toFixed(2)}×`,
    goal: '≥ 2,000 rec/s',
  });
  rows.push({
    what: `change + its record per transaction, ${CALLERS} concurrent callers (store group commit)`,
    result: `${fmt(concurrent)} rec/s`,
    baseline: `bare SQLite insert, FULL, no hash: ${fmt(base)} rec/s`,
    ratio: `${(concurrent / base).toFixed(2)}×`,
    goal: '—',
  });
}

/**
 * The path every state change takes (a setting written and its audit record appended in one
 * transaction), from many concurrent callers as a busy broker has them: the SQLite store runs
 * transactions that queue up meanwhile under one COMMIT (SqliteStore.ts, group commit).
 */
async function concurrentChanges(dir: string, events: readonly AuditEventInput[]): Promise<number> {
  const store = await openSqliteStore(join(dir, 'concurrent'));
  let next = 0;
  const caller = async (): Promise<void> => {
    for (let i = next++; i < events.length; i = next++) {
      const event = events[i] as AuditEventInput;
      await store.transaction(async (tx) => {
        await tx.putSetting(`caller.${i % CALLERS}`, i);
        await tx.appendAudit(event);
      });
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CALLERS }, caller));
  const rate = perSecond(events.length, performance.now() - started);
  await store.close();
  return rate;
}

/** The disk's own bound on one-at-a-time durability: append one record's bytes, fdatasync, repeat. */
function diskSyncsPerSecond(file: string, bodies: readonly string[]): number {
  const fd = openSync(file, 'a');
  try {
    const started = performance.now();
    for (const body of bodies) {
      writeSync(fd, `${body}\n`);
      fdatasyncSync(fd);
    }
    return perSecond(bodies.length, performance.now() - started);
  } finally {
    closeSync(fd);
  }
}

async function groupCommit(dir: string): Promise<void> {
  const events = Array.from({ length: GROUP }, (_, i) => loginEvent(i + 1));
  const store = await openSqliteStore(join(dir, 'group'));
  const writer = new AuditWriter(store, { maxBatch: IN_FLIGHT });
  let started = performance.now();
  let inFlight: Promise<unknown>[] = [];
  for (const event of events) {
    inFlight.push(writer.append(event));
    // Producers that keep up to IN_FLIGHT records waiting, like many concurrent requests.
    if (inFlight.length >= IN_FLIGHT) {
      await Promise.all(inFlight);
      inFlight = [];
    }
  }
  await Promise.all(inFlight);
  const ours = perSecond(GROUP, performance.now() - started);
  await store.close();

  const bare = bareSqlite(join(dir, 'group'));
  const batch = bare.db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) bare.insert(JSON.stringify(events[i]), i + 1);
  });
  started = performance.now();
  for (let from = 0; from < GROUP; from += IN_FLIGHT) batch(from, Math.min(GROUP, from + IN_FLIGHT));
  const base = perSecond(GROUP, performance.now() - started);
  bare.db.close();
  rows.push({
    what: `append, group commit (${fmt(GROUP)} records, ≤ ${fmt(IN_FLIGHT)} per commit)`,
    result: `${fmt(ours)} rec/s`,
    baseline: `bare SQLite insert, same batches, no hash: ${fmt(base)} rec/s`,
    ratio: `${(ours / base).toFixed(2)}×`,
    goal: '≥ 20,000 rec/s',
  });
}

async function verify(dir: string): Promise<void> {
  // A real export: records appended through the store in commits of 1,000, a checkpoint after each.
  const store = await openSqliteStore(join(dir, 'verify'));
  const signer = await loadAuditSigner(store);
  for (let from = 1; from <= VERIFY; from += 1000) {
    const n = Math.min(1000, VERIFY - from + 1);
    await store.appendAuditBatch(Array.from({ length: n }, (_, k) => loginEvent(from + k)));
    await writeCheckpoint(store, signer, time0 + from);
  }
  const file = join(dir, 'audit.jsonl');
  const out = createWriteStream(file);
  await exportAudit(store, out, { signer });
  out.end();
  await finished(out);
  await store.close();

  let started = performance.now();
  const result = await verifyAuditExport(file);
  const ours = performance.now() - started;
  if (!result.ok || result.records !== VERIFY) throw new Error(`verify failed: ${JSON.stringify(result)}`);

  started = performance.now();
  await hashEveryLine(file);
  const base = performance.now() - started;
  const mb = statSync(file).size / 1e6;
  rows.push({
    what: `audit verify (${fmt(VERIFY)} records, ${fmt(result.checkpoints)} checkpoints, ${mb.toFixed(0)} MB)`,
    result: `${(ours / 1000).toFixed(2)} s`,
    baseline: `bare SHA-256 of every line: ${(base / 1000).toFixed(2)} s`,
    ratio: `${(ours / base).toFixed(2)}×`,
    goal: '< 10 s',
  });
}

/** The floor for any verifier: split the same file into lines and SHA-256 each line's bytes. */
async function hashEveryLine(file: string): Promise<void> {
  let rest: Buffer | undefined;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(0x0a); nl !== -1; nl = buf.indexOf(0x0a, start)) {
      hash('sha256', buf.subarray(start, nl), 'hex');
      start = nl + 1;
    }
    rest = start < buf.length ? buf.subarray(start) : undefined;
  }
}

function printTable(): void {
  const head: Row = {
    what: 'measurement',
    result: 'result',
    baseline: 'baseline (same run)',
    ratio: 'ratio',
    goal: 'goal',
  };
  const cols = Object.keys(head) as (keyof Row)[];
  const lines = [head, ...rows].map((r) => `| ${cols.map((c) => r[c]).join(' | ')} |`);
  lines.splice(1, 0, `|${cols.map(() => ' --- ').join('|')}|`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

const dir = mkdtempSync(join(tmpdir(), 'sr-audit-bench-'));
try {
  await singleWriter(dir);
  await groupCommit(dir);
  await verify(dir);
  printTable();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
