import { describe, expect, it } from 'vitest';
import { StrongroomError } from '../errors/StrongroomError.js';
import { postureCheckIds } from './PostureCheckId.js';
import type { PostureHost } from './PostureHost.js';
import { postureReportSchema } from './PostureReport.js';
import { RecordedPostureHost, recorded } from './RecordedPostureHost.js';
import { runPostureChecks } from './runPostureChecks.js';

const now = new Date('2026-11-26T07:00:00Z');

describe('runPostureChecks', () => {
  it.each(['linux', 'darwin', 'win32'])(
    'answers every check on %s, with nothing installed, as unknown or fail, never pass',
    async (platform) => {
      const host = new RecordedPostureHost({
        platform,
        homeDir: platform === 'win32' ? 'C:\\Users\\a' : '/home/a',
        now,
      });
      const report = await runPostureChecks(host, {
        endpointProcesses: { linux: ['x'], darwin: ['x'], win32: ['x'] },
      });
      expect(postureReportSchema.parse(report)).toEqual(report);
      expect(report).toMatchObject({ platform, checkedAt: '2026-11-26T07:00:00.000Z' });
      expect(report.checks.map((check) => check.id)).toEqual(postureCheckIds);
      for (const check of report.checks) expect(check.status).not.toBe('pass');
    },
  );

  it('answers unknown for a platform without checks', async () => {
    const report = await runPostureChecks(
      new RecordedPostureHost({ platform: 'freebsd', homeDir: '/home/a', now }),
    );
    expect(report.checks.map((check) => check.status)).toEqual(postureCheckIds.map(() => 'unknown'));
  });

  it('turns a check that hangs into unknown after the per-check timeout, and one that throws into unknown', async () => {
    const recordedHost = new RecordedPostureHost({ platform: 'linux', homeDir: '/home/a', now });
    const host: PostureHost = {
      ...recordedHost,
      platform: 'linux',
      homeDir: '/home/a',
      env: {},
      now: () => now,
      // findmnt never answers; everything else behaves as absent.
      exec: (file, args) =>
        file === 'findmnt' ? new Promise(() => undefined) : recordedHost.exec(file, args),
      readFile: () => Promise.reject(new Error('disk on fire')),
      readDir: recordedHost.readDir,
    };
    const report = await runPostureChecks(host, { checkTimeoutMs: 100 });
    const byId = Object.fromEntries(report.checks.map((check) => [check.id, check]));
    expect(byId['disk_encryption']).toMatchObject({ status: 'unknown', observed: 'no answer within 100 ms' });
    expect(byId['os_updates']).toMatchObject({ status: 'unknown', observed: 'check failed: disk on fire' });
  });

  it('refuses invalid options before running anything, listing every problem', async () => {
    const host = new RecordedPostureHost({
      platform: 'linux',
      homeDir: '/home/a',
      now,
      commands: [{ file: 'findmnt', result: recorded.ok('') }],
    });
    const attempt = runPostureChecks(host, { maxPatchAgeDays: -1, maxIdleDelaySeconds: 'soon' } as never);
    await expect(attempt).rejects.toBeInstanceOf(StrongroomError);
    await expect(attempt).rejects.toMatchObject({
      code: 'config_invalid',
      message: expect.stringMatching(/maxPatchAgeDays.*maxIdleDelaySeconds/),
    });
    expect(host.calls).toEqual([]);
  });
});
