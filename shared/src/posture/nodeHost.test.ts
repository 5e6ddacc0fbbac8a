import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createNodePostureHost } from './nodeHost.js';

const host = createNodePostureHost();
const dir = mkdtempSync(join(tmpdir(), 'posture-host-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(process.platform === 'win32')('createNodePostureHost (real processes and files)', () => {
  it('runs a program and returns stdout, stderr and the exit code', async () => {
    const result = await host.exec(
      process.execPath,
      ['-e', 'process.stdout.write("out"); process.stderr.write("err"); process.exit(3)'],
      { timeoutMs: 10_000 },
    );
    expect(result).toEqual({ stdout: 'out', stderr: 'err', exitCode: 3 });
  });

  it('reports a missing program as not_found, not as an exit code', async () => {
    const result = await host.exec('strongroom-no-such-tool', [], { timeoutMs: 1_000 });
    expect(result).toMatchObject({ exitCode: null, failure: 'not_found' });
  });

  it('reports a non-executable file as permission_denied', async () => {
    const file = join(dir, 'not-executable');
    writeFileSync(file, '#!/bin/sh\necho hi\n', { mode: 0o644 });
    expect((await host.exec(file, [], { timeoutMs: 1_000 })).failure).toBe('permission_denied');
  });

  it('kills a program that outlives its timeout', async () => {
    const result = await host.exec(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], {
      timeoutMs: 300,
    });
    expect(result).toMatchObject({ exitCode: null, failure: 'timeout' });
  });

  it('never hands arguments to a shell', async () => {
    const marker = join(dir, 'injected');
    const result = await host.exec('echo', [`$(touch ${marker})`, '; touch', marker], { timeoutMs: 2_000 });
    expect(result.stdout.trim()).toBe(`$(touch ${marker}) ; touch ${marker}`);
    expect(existsSync(marker)).toBe(false);
  });

  it('runs tools in the C locale, with system directories first on PATH, and without our secrets', async () => {
    process.env['STRONGROOM_TEST_TOKEN'] = 'secret-value';
    try {
      const script = 'process.stdout.write(JSON.stringify(process.env))';
      const result = await createNodePostureHost().exec(process.execPath, ['-e', script], {
        timeoutMs: 10_000,
      });
      const env = JSON.parse(result.stdout) as Record<string, string>;
      expect(env['LC_ALL']).toBe('C');
      expect(env['PATH']?.startsWith('/usr/sbin:/usr/bin:/sbin:/bin')).toBe(true);
      expect(env['STRONGROOM_TEST_TOKEN']).toBeUndefined();
      const allowed =
        /^(HOME|USER|LOGNAME|DISPLAY|WAYLAND_DISPLAY|DBUS_SESSION_BUS_ADDRESS|TMPDIR|PATH|LC_ALL|LANG|XDG_.*)$/;
      expect(Object.keys(env).filter((name) => !allowed.test(name))).toEqual([]);
    } finally {
      delete process.env['STRONGROOM_TEST_TOKEN'];
    }
  });

  it('reads files (including /proc files that report size 0) and lists directories; failures are data', async () => {
    const proc = await host.readFile('/proc/self/comm');
    expect(proc.ok && new TextDecoder().decode(proc.data).trim().length).toBeGreaterThan(0);
    expect(await host.readFile(join(dir, 'missing'))).toMatchObject({ ok: false, failure: 'not_found' });
    expect(await host.readFile(dir)).toMatchObject({ ok: false, failure: 'failed' });
    expect(await host.readDir(join(dir, 'missing'))).toMatchObject({ ok: false, failure: 'not_found' });
    const listing = await host.readDir('/proc');
    expect(listing.ok && listing.entries.includes(String(process.pid))).toBe(true);
  });
});
