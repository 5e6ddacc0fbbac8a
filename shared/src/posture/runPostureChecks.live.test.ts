import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNodePostureHost } from './nodeHost.js';
import { postureReportSchema, type PostureResult } from './PostureReport.js';
import { runPostureChecks } from './runPostureChecks.js';

// The Linux checks, for real, on this machine, through the real node host. What the machine really
// is decides the expected answer, read here independently of the code under test; on any machine the
// answers must be honest: no pass without the fact that would make it true.

const onPath = (tool: string) =>
  (process.env['PATH'] ?? '').split(delimiter).some((dir) => existsSync(join(dir, tool)));
const processNames = () =>
  readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        return [readFileSync(`/proc/${pid}/comm`, 'utf8').trim()];
      } catch {
        return [];
      }
    });

describe.skipIf(process.platform !== 'linux')('runPostureChecks on this Linux machine', () => {
  it('returns a valid report with an honest answer for every check', async () => {
    // A real process to look for, started by path so argv[0] is the path.
    const sleeper = spawn('/bin/sleep', ['30'], { stdio: 'ignore' });
    try {
      // 'spawn' fires once exec has succeeded, so /proc already shows the new argv.
      await once(sleeper, 'spawn');
      const report = await runPostureChecks(createNodePostureHost(), {
        endpointProcesses: { linux: ['/bin/sleep', 'sleep'] },
      });
      expect(postureReportSchema.parse(report)).toEqual(report);
      const check = (id: PostureResult['id']) => report.checks.find((result) => result.id === id);
      for (const result of report.checks) {
        expect(result.observed.length, result.id).toBeGreaterThan(0);
        if (result.status !== 'pass') expect(result.fix.length, result.id).toBeGreaterThan(0);
      }

      // Screen lock: no desktop in the environment and no GNOME/KDE shell running means no answer,
      // even though gsettings would happily print its schema defaults (lock on, 300 s).
      const desktopEnv = ['XDG_CURRENT_DESKTOP', 'XDG_SESSION_DESKTOP', 'DESKTOP_SESSION'].some(
        (name) => process.env[name],
      );
      const shells = processNames().filter((name) =>
        ['gnome-shell', 'plasmashell', 'ksmserver'].includes(name),
      );
      if (!desktopEnv && shells.length === 0) {
        expect(check('screen_lock')).toMatchObject({
          status: 'unknown',
          observed: expect.stringMatching(/no desktop session/),
        });
      }

      // Disk encryption: without any crypt device on the machine a pass is impossible.
      const lsblk = await new Promise<string>((resolve) => {
        const child = spawn('lsblk', ['-J', '-o', 'NAME,TYPE'], { stdio: ['ignore', 'pipe', 'ignore'] });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.on('close', () => resolve(out));
        child.on('error', () => resolve(''));
      });
      if (!lsblk.includes('"crypt"')) expect(check('disk_encryption')?.status).not.toBe('pass');

      // Secure Boot: no EFI firmware directory, no Secure Boot.
      if (!existsSync('/sys/firmware/efi')) expect(check('secure_boot')?.status).not.toBe('pass');

      // Firewall: with no tool that could read or manage the ruleset, nothing is known.
      if (!['nft', 'ufw', 'firewall-cmd'].some(onPath)) expect(check('firewall')?.status).toBe('unknown');

      // OS version: a pass names this machine's OS.
      const osRelease = readFileSync('/etc/os-release', 'utf8');
      const prettyName = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(osRelease)?.[1] ?? '';
      if (check('os_updates')?.status !== 'unknown')
        expect(check('os_updates')?.observed).toContain(prettyName);

      // Endpoint protection: the sleeper runs, by path and by name.
      expect(check('endpoint_protection')).toMatchObject({
        status: 'pass',
        observed: 'running: /bin/sleep, sleep',
      });
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('fails endpoint protection for a configured agent that is not running', async () => {
    const report = await runPostureChecks(createNodePostureHost(), {
      endpointProcesses: { linux: ['strongroom-absent-agent'] },
    });
    expect(report.checks.find((result) => result.id === 'endpoint_protection')?.status).toBe('fail');
  });
});
