import { describe, expect, it } from 'vitest';
import { checkSecureBootWin32 } from './checkSecureBoot.win32.js';
import { readFixture } from './fixtures/readFixture.js';
import { recordedContext } from './fixtures/recordedContext.js';
import { recorded } from './RecordedPostureHost.js';
import type { ExecResult } from './PostureHost.js';

function run(confirm: ExecResult, registry: ExecResult = recorded.failed('not_found')) {
  const { context } = recordedContext({
    platform: 'win32',
    homeDir: 'C:\\Users\\alice',
    now: new Date(),
    commands: [
      { file: 'powershell.exe', scriptIncludes: 'UEFISecureBootEnabled', result: registry },
      { file: 'powershell.exe', scriptIncludes: 'Confirm-SecureBootUEFI', result: confirm },
    ],
  });
  return checkSecureBootWin32.run(context);
}

const denied = recorded.exited(1, readFixture('win32/Confirm-SecureBootUEFI-denied.txt'));

describe('checkSecureBoot.win32', () => {
  it('reads Confirm-SecureBootUEFI True/False', async () => {
    expect((await run(recorded.ok(readFixture('win32/Confirm-SecureBootUEFI-true.txt')))).status).toBe(
      'pass',
    );
    expect((await run(recorded.ok(readFixture('win32/Confirm-SecureBootUEFI-false.txt')))).status).toBe(
      'fail',
    );
  });

  it('fails legacy BIOS (0xC0000002), whatever language the message is in', async () => {
    expect(
      (await run(recorded.exited(1, readFixture('win32/Confirm-SecureBootUEFI-legacy-bios.txt')))).status,
    ).toBe('fail');
  });

  it('falls back to the registry when not elevated; unknown when that fails too', async () => {
    expect((await run(denied, recorded.ok(readFixture('win32/UEFISecureBootEnabled-1.txt')))).status).toBe(
      'pass',
    );
    expect((await run(denied, recorded.ok('0\r\n'))).status).toBe('fail');
    const blind = await run(
      denied,
      recorded.exited(1, 'Get-ItemPropertyValue : Property UEFISecureBootEnabled does not exist'),
    );
    expect(blind.status).toBe('unknown');
    expect(blind.observed).toContain('Access was denied');
  });
});
