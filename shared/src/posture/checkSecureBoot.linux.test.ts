import { describe, expect, it } from 'vitest';
import { checkSecureBootLinux } from './checkSecureBoot.linux.js';
import { readFixture, readFixtureBytes } from './fixtures/readFixture.js';
import { recordedContext } from './fixtures/recordedContext.js';
import { recorded, type RecordedMachine } from './RecordedPostureHost.js';
import type { ExecResult } from './PostureHost.js';

const variable = 'SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c';
const efivars = '/sys/firmware/efi/efivars';

function run(
  machine: Pick<RecordedMachine, 'files' | 'dirs'>,
  mokutil: ExecResult = recorded.failed('not_found'),
) {
  const { context } = recordedContext({
    platform: 'linux',
    homeDir: '/home/alice',
    now: new Date(),
    ...machine,
    commands: [{ file: 'mokutil', args: ['--sb-state'], result: mokutil }],
  });
  return checkSecureBootLinux.run(context);
}

const uefi = (bytes: Uint8Array) => ({
  dirs: {
    [efivars]: [
      'BootCurrent-8be4df61-93ca-11d2-aa0d-00e098032b8c',
      variable,
      'SetupMode-8be4df61-93ca-11d2-aa0d-00e098032b8c',
    ],
  },
  files: { [`${efivars}/${variable}`]: bytes },
});

describe('checkSecureBoot.linux', () => {
  it('reads the SecureBoot EFI variable: attributes, then 1 or 0', async () => {
    expect((await run(uefi(readFixtureBytes('linux/efivar-SecureBoot-enabled.bin')))).status).toBe('pass');
    expect((await run(uefi(readFixtureBytes('linux/efivar-SecureBoot-disabled.bin')))).status).toBe('fail');
  });

  it('fails a legacy-BIOS boot (real /sys/firmware without efi), as on this VM', async () => {
    const finding = await run({ dirs: { '/sys/firmware': ['acpi', 'memmap'] } });
    expect(finding.status).toBe('fail');
    expect(finding.observed).toMatch(/not booted through UEFI/);
  });

  it('asks mokutil when efivars cannot be read', async () => {
    const hidden = { dirs: { [efivars]: { failure: 'permission_denied' as const } } };
    expect((await run(hidden, recorded.ok(readFixture('linux/mokutil-sb-enabled.txt')))).status).toBe('pass');
    expect((await run(hidden, recorded.ok(readFixture('linux/mokutil-sb-disabled.txt')))).status).toBe(
      'fail',
    );
    const shim = await run(hidden, recorded.ok(readFixture('linux/mokutil-sb-shim-validation-off.txt')));
    expect(shim.status).toBe('fail');
    expect(shim.fix).toMatch(/enable-validation/);
  });

  it('answers unknown in a container (no /sys/firmware), for odd variable sizes and for garbage', async () => {
    expect((await run({})).status).toBe('unknown');
    expect((await run({ dirs: { '/sys/firmware': [] } })).status).toBe('unknown');
    expect((await run(uefi(new Uint8Array([6, 0, 0, 0, 1, 0])))).status).toBe('unknown');
    expect((await run({}, recorded.exited(255, readFixture('linux/mokutil-no-efi.txt')))).status).toBe(
      'unknown',
    );
    expect((await run({}, recorded.ok(readFixture('linux/garbage.txt')))).status).toBe('unknown');
  });
});
