import { describe, expect, it } from 'vitest';
import { checkDiskEncryptionWin32 } from './checkDiskEncryption.win32.js';
import { readFixture } from './fixtures/readFixture.js';
import { recordedContext } from './fixtures/recordedContext.js';
import { recorded } from './RecordedPostureHost.js';
import type { ExecResult } from './PostureHost.js';

async function run(
  bitlocker: ExecResult,
  manageBde?: ExecResult,
  homeDir = 'C:\\Users\\alice',
  shellProperty?: ExecResult,
) {
  const { context, host } = recordedContext({
    platform: 'win32',
    homeDir,
    now: new Date(),
    env: { SystemDrive: 'C:' },
    commands: [
      { file: 'powershell.exe', scriptIncludes: "Get-BitLockerVolume -MountPoint 'C:'", result: bitlocker },
      ...(manageBde ? [{ file: 'manage-bde', args: ['-status', 'C:'], result: manageBde }] : []),
      ...(shellProperty
        ? [
            {
              file: 'powershell.exe',
              scriptIncludes: "NameSpace('C:\\').Self.ExtendedProperty('System.Volume.BitLockerProtection')",
              result: shellProperty,
            },
          ]
        : []),
    ],
  });
  return { finding: await checkDiskEncryptionWin32.run(context), calls: host.calls };
}

const denied = recorded.exited(1, readFixture('win32/Get-BitLockerVolume-denied.txt'));

describe('checkDiskEncryption.win32', () => {
  it('passes for a fully encrypted, protected C: from Get-BitLockerVolume', async () => {
    const { finding } = await run(recorded.ok(readFixture('win32/Get-BitLockerVolume-on.json')));
    expect(finding).toMatchObject({
      status: 'pass',
      observed: 'C: FullyEncrypted, 100% encrypted, protection On',
    });
  });

  it('fails a decrypted drive and a suspended one (key in the clear)', async () => {
    expect((await run(recorded.ok(readFixture('win32/Get-BitLockerVolume-off.json')))).finding.status).toBe(
      'fail',
    );
    const suspended = (await run(recorded.ok(readFixture('win32/Get-BitLockerVolume-suspended.json'))))
      .finding;
    expect(suspended.status).toBe('fail');
    expect(suspended.fix).toMatch(/Resume-BitLocker/);
  });

  it('falls back to English manage-bde when Get-BitLockerVolume is denied', async () => {
    const on = await run(denied, recorded.ok(readFixture('win32/manage-bde-status-en.txt')));
    expect(on.finding.status).toBe('pass');
    expect(on.calls.some((call) => call.startsWith('manage-bde -status C:'))).toBe(true);
    const encrypting = await run(
      denied,
      recorded.ok(readFixture('win32/manage-bde-status-en-encrypting.txt')),
    );
    expect(encrypting.finding).toMatchObject({
      status: 'fail',
      observed: 'C: EncryptionInProgress, 41.3% encrypted, protection Off',
    });
  });

  it("reads Explorer's BitLockerProtection property as a standard user before trying manage-bde", async () => {
    const on = await run(
      denied,
      undefined,
      undefined,
      recorded.ok(readFixture('win32/Shell-BitLockerProtection-1.txt')),
    );
    expect(on.finding).toMatchObject({
      status: 'pass',
      observed: 'C: BitLocker on (System.Volume.BitLockerProtection = 1)',
    });
    expect(on.calls.some((call) => call.startsWith('manage-bde'))).toBe(false);
    const off = await run(
      denied,
      undefined,
      undefined,
      recorded.ok(readFixture('win32/Shell-BitLockerProtection-2.txt')),
    );
    expect(off.finding.status).toBe('fail');
    const suspended = await run(
      denied,
      undefined,
      undefined,
      recorded.ok(readFixture('win32/Shell-BitLockerProtection-5.txt')),
    );
    expect(suspended.finding).toMatchObject({
      status: 'fail',
      observed: expect.stringContaining('suspended'),
    });
    // An empty value (e.g. Server Core without Explorer) says nothing; German manage-bde says nothing readable either.
    const empty = await run(
      denied,
      recorded.ok(readFixture('win32/manage-bde-status-de.txt')),
      undefined,
      recorded.ok(readFixture('win32/Shell-BitLockerProtection-empty.txt')),
    );
    expect(empty.finding.status).toBe('unknown');
  });

  it('answers unknown for German manage-bde output rather than guessing', async () => {
    const { finding } = await run(denied, recorded.ok(readFixture('win32/manage-bde-status-de.txt')));
    expect(finding.status).toBe('unknown');
    expect(finding.observed).toMatch(/not understood/);
  });

  it('answers unknown with an elevation hint when both tools are denied', async () => {
    const { finding } = await run(
      denied,
      recorded.exited(-2147024891, '', readFixture('win32/manage-bde-denied.txt')),
    );
    expect(finding.status).toBe('unknown');
    expect(finding.fix).toMatch(/elevated/);
  });

  it('answers unknown when PowerShell is missing, times out or prints garbage', async () => {
    expect((await run(recorded.failed('not_found'))).finding.status).toBe('unknown');
    expect((await run(recorded.failed('timeout'))).finding.status).toBe('unknown');
    expect((await run(recorded.ok('<html>garbage'))).finding.status).toBe('unknown');
    expect(
      (
        await run(
          recorded.ok(
            '{"MountPoint":"C:","VolumeStatus":"Weird","ProtectionStatus":"On","EncryptionPercentage":100}',
          ),
        )
      ).finding.status,
    ).toBe('unknown');
  });

  it('checks the drive that holds the profile, not always C:', async () => {
    const { finding, calls } = await run(recorded.ok('{}'), undefined, 'D:\\Users\\alice');
    expect(finding.status).toBe('unknown');
    expect(calls.some((call) => call.includes("Get-BitLockerVolume -MountPoint 'D:'"))).toBe(true);
  });
});
