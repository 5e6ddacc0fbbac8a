import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../store/SqliteStore.js';
import { makeAuditEvent } from '../store/storeFixtures.js';
import { registerAuditCommands } from './registerAuditCommands.js';

describe('audit commands', () => {
  let dir: string;
  let out: string;
  let err: string;
  let exitCode: number;

  const run = async (...args: string[]) => {
    const io = { out: new PassThrough(), err: new PassThrough(), setExitCode: (c: number) => (exitCode = c) };
    io.out.on('data', (c: Buffer) => (out += c.toString()));
    io.err.on('data', (c: Buffer) => (err += c.toString()));
    const program = new Command().exitOverride();
    registerAuditCommands(program, () => openSqliteStore(join(dir, 'data')), io);
    await program.parseAsync(['node', 'strongroom-broker', ...args]);
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sr-cmd-'));
    [out, err, exitCode] = ['', '', 0];
    const store = await openSqliteStore(join(dir, 'data'));
    for (let i = 0; i < 12; i++) await store.appendAudit(makeAuditEvent({ activityId: i }));
    await store.close();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('exports, checkpoints and verifies; verify names the first bad record of a tampered file', async () => {
    await run('audit', 'checkpoint');
    expect(out).toContain('checkpoint at seq 12');
    const file = join(dir, 'audit.jsonl');
    await run('audit', 'export', '--out', file);
    expect(err).toContain('exported 12 audit records');
    out = '';
    await run('audit', 'verify', file);
    expect(out).toMatch(/^OK: 12 records, 1 checkpoints/);
    expect(exitCode).toBe(0);

    const lines = readFileSync(file, 'utf8').split('\n');
    lines[5] = (lines[5] ?? '').replace('"activityId":4', '"activityId":40');
    writeFileSync(file, lines.join('\n'));
    await run('audit', 'verify', file);
    expect(exitCode).toBe(1);
    expect(err).toContain('FAILED (edited) at line 6: first bad record: seq 5');
  });

  it('prints the key id to pin, and verify refuses an export signed by another key', async () => {
    await run('audit', 'key');
    const jwk = JSON.parse(out) as { kid: string; kty: string; d?: string };
    expect(jwk.kty).toBe('OKP');
    expect(jwk.d).toBeUndefined();
    const file = join(dir, 'audit.jsonl');
    await run('audit', 'export', '--out', file);
    out = '';
    await run('audit', 'verify', file, '--key-id', jwk.kid);
    expect(out).toContain(`signed by key ${jwk.kid}`);
    await run('audit', 'verify', file, '--key-id', 'someone-elses-key');
    expect(exitCode).toBe(1);
    expect(err).toContain('FAILED (bad_key)');
  });
});
