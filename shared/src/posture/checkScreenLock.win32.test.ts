import { describe, expect, it } from 'vitest';
import { checkScreenLockWin32 } from './checkScreenLock.win32.js';
import { readFixture } from './fixtures/readFixture.js';
import { recordedContext } from './fixtures/recordedContext.js';
import { recorded } from './RecordedPostureHost.js';
import type { ExecResult } from './PostureHost.js';

function run(result: ExecResult, maxIdleDelaySeconds = 900) {
  const { context } = recordedContext(
    {
      platform: 'win32',
      homeDir: 'C:\\Users\\alice',
      now: new Date(),
      commands: [{ file: 'powershell.exe', scriptIncludes: 'InactivityTimeoutSecs', result }],
    },
    { maxIdleDelaySeconds },
  );
  return checkScreenLockWin32.run(context);
}

describe('checkScreenLock.win32', () => {
  it('passes on the machine inactivity limit policy', async () => {
    const finding = await run(recorded.ok(readFixture('win32/screenlock-policy-inactivity-600.json')));
    expect(finding).toMatchObject({ status: 'pass', observed: 'machine inactivity limit 600 s' });
    expect(
      (await run(recorded.ok(readFixture('win32/screenlock-policy-inactivity-600.json')), 300)).status,
    ).toBe('fail');
  });

  it('passes a password-protected screen saver within the limit', async () => {
    expect(
      (await run(recorded.ok(readFixture('win32/screenlock-user-screensaver-secure-300.json')))).status,
    ).toBe('pass');
  });

  it('fails the Windows default: screen saver "active" but none chosen and no password on resume', async () => {
    const finding = await run(recorded.ok(readFixture('win32/screenlock-default-no-screensaver.json')));
    expect(finding.status).toBe('fail');
    expect(finding.observed).toContain('(none chosen)');
  });

  it('lets Group Policy override the user setting', async () => {
    const policy = JSON.parse(readFixture('win32/screenlock-user-screensaver-secure-300.json')) as Record<
      string,
      unknown
    >;
    policy['userPolicy'] = { ScreenSaveActive: '0' };
    expect((await run(recorded.ok(JSON.stringify(policy)))).status).toBe('fail');
  });

  it('answers unknown when PowerShell fails or answers garbage', async () => {
    expect((await run(recorded.failed('not_found'))).status).toBe('unknown');
    expect((await run(recorded.ok('garbage'))).status).toBe('unknown');
  });
});
