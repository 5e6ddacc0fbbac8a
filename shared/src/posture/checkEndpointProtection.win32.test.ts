import { describe, expect, it } from 'vitest';
import { checkEndpointProtectionWin32 } from './checkEndpointProtection.win32.js';
import { readFixture } from './fixtures/readFixture.js';
import { recordedContext } from './fixtures/recordedContext.js';
import { recorded } from './RecordedPostureHost.js';
import type { ExecResult } from './PostureHost.js';

function run(
  defender: ExecResult,
  win32: string[] = [],
  processes: ExecResult = recorded.ok(readFixture('win32/Get-Process.json')),
) {
  const { context } = recordedContext(
    {
      platform: 'win32',
      homeDir: 'C:\\Users\\alice',
      now: new Date(),
      commands: [
        { file: 'powershell.exe', scriptIncludes: 'Get-MpComputerStatus', result: defender },
        { file: 'powershell.exe', scriptIncludes: 'Get-Process', result: processes },
      ],
    },
    { endpointProcesses: { win32 } },
  );
  return checkEndpointProtectionWin32.run(context);
}

describe('checkEndpointProtection.win32', () => {
  it('passes Defender with real-time protection on; fails with it off', async () => {
    expect((await run(recorded.ok(readFixture('win32/Get-MpComputerStatus-on.json')))).status).toBe('pass');
    const off = await run(recorded.ok(readFixture('win32/Get-MpComputerStatus-realtime-off.json')));
    expect(off).toMatchObject({ status: 'fail', observed: expect.stringContaining('real-time off') });
  });

  it('answers unknown when Defender is passive (another antivirus) or its status cannot be read', async () => {
    expect((await run(recorded.ok(readFixture('win32/Get-MpComputerStatus-passive.json')))).status).toBe(
      'unknown',
    );
    expect((await run(recorded.exited(1, readFixture('win32/Get-MpComputerStatus-error.txt')))).status).toBe(
      'unknown',
    );
  });

  it('checks configured processes case-insensitively, with or without .exe, whatever Defender says', async () => {
    const passive = recorded.ok(readFixture('win32/Get-MpComputerStatus-passive.json'));
    expect((await run(passive, ['CSFalconService.exe', 'MsSense'])).status).toBe('pass');
    const missing = await run(passive, ['CSFalconService', 'SentinelAgent.exe']);
    expect(missing.status).toBe('fail');
    expect(missing.observed).toContain('not running: SentinelAgent.exe');
    expect((await run(passive, ['MsSense'], recorded.failed('timeout'))).status).toBe('unknown');
  });
});
