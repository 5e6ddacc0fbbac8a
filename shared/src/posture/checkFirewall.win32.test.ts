import { describe, expect, it } from 'vitest';
import { checkFirewallWin32 } from './checkFirewall.win32.js';
import { readFixture } from './fixtures/readFixture.js';
import { recordedContext } from './fixtures/recordedContext.js';
import { recorded } from './RecordedPostureHost.js';
import type { ExecResult } from './PostureHost.js';

function run(powershell: ExecResult, netsh?: ExecResult) {
  const { context } = recordedContext({
    platform: 'win32',
    homeDir: 'C:\\Users\\alice',
    now: new Date(),
    commands: [
      {
        file: 'powershell.exe',
        scriptIncludes: 'Get-NetFirewallProfile -PolicyStore ActiveStore',
        result: powershell,
      },
      ...(netsh
        ? [{ file: 'netsh', args: ['advfirewall', 'show', 'allprofiles', 'state'], result: netsh }]
        : []),
    ],
  });
  return checkFirewallWin32.run(context);
}

describe('checkFirewall.win32', () => {
  it('passes when every profile is on; fails when Public is off', async () => {
    expect((await run(recorded.ok(readFixture('win32/Get-NetFirewallProfile-all-on.json')))).status).toBe(
      'pass',
    );
    const off = await run(recorded.ok(readFixture('win32/Get-NetFirewallProfile-public-off.json')));
    expect(off).toMatchObject({ status: 'fail', observed: 'Domain on, Private on, Public off' });
  });

  it('answers unknown when a profile is missing from the answer', async () => {
    expect((await run(recorded.ok('{"Name":"Domain","Enabled":"True"}'))).status).toBe('unknown');
  });

  it('falls back to netsh: English is read, German is unknown', async () => {
    const noPowerShell = recorded.failed('not_found');
    const english = await run(
      noPowerShell,
      recorded.ok(readFixture('win32/netsh-advfirewall-allprofiles-en.txt')),
    );
    expect(english).toMatchObject({ status: 'fail', observed: 'Domain on, Private on, Public off' });
    const german = await run(
      noPowerShell,
      recorded.ok(readFixture('win32/netsh-advfirewall-allprofiles-de.txt')),
    );
    expect(german.status).toBe('unknown');
    expect((await run(noPowerShell, recorded.failed('not_found'))).status).toBe('unknown');
  });
});
