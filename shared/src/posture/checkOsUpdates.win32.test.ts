import { describe, expect, it } from 'vitest';
import { checkOsUpdatesWin32 } from './checkOsUpdates.win32.js';
import { readFixture } from './fixtures/readFixture.js';
import { recordedContext } from './fixtures/recordedContext.js';
import { recorded } from './RecordedPostureHost.js';
import type { ExecResult } from './PostureHost.js';

function run(result: ExecResult, now = '2026-11-26T12:00:00') {
  const { context } = recordedContext({
    platform: 'win32',
    homeDir: 'C:\\Users\\alice',
    now: new Date(now),
    commands: [{ file: 'powershell.exe', scriptIncludes: 'Get-HotFix', result }],
  });
  return checkOsUpdatesWin32.run(context);
}

describe('checkOsUpdates.win32', () => {
  it('takes the newest "Security Update" (not a later plain update) and passes within 30 days', async () => {
    const finding = await run(recorded.ok(readFixture('win32/Get-HotFix-os.json')));
    expect(finding.status).toBe('pass');
    expect(finding.observed).toBe(
      'Microsoft Windows 11 Pro 10.0.22631.4460; last security update KB5046617 on 2026-11-13 (13 days ago)',
    );
  });

  it('fails an old single hotfix (PowerShell writes a one-element list as an object)', async () => {
    const finding = await run(recorded.ok(readFixture('win32/Get-HotFix-os-one-old.json')));
    expect(finding.status).toBe('fail');
    expect(finding.observed).toContain('KB5034441');
  });

  it('answers unknown when descriptions are not the English "Security Update", or PowerShell fails', async () => {
    expect((await run(recorded.ok(readFixture('win32/Get-HotFix-os-de-descriptions.json')))).status).toBe(
      'unknown',
    );
    expect((await run(recorded.failed('timeout'))).status).toBe('unknown');
    expect((await run(recorded.ok('not json'))).status).toBe('unknown');
  });
});
