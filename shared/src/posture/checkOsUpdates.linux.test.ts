import { describe, expect, it } from 'vitest';
import { checkOsUpdatesLinux } from './checkOsUpdates.linux.js';
import { readFixture } from './fixtures/readFixture.js';
import { recordedContext } from './fixtures/recordedContext.js';
import type { RecordedMachine } from './RecordedPostureHost.js';

function run(files: RecordedMachine['files'], now: string, maxPatchAgeDays = 30) {
  const { context } = recordedContext(
    { platform: 'linux', homeDir: '/home/alice', now: new Date(now), files },
    { maxPatchAgeDays },
  );
  return checkOsUpdatesLinux.run(context);
}

const ubuntu = readFixture('linux/os-release-ubuntu-2404.txt');

describe('checkOsUpdates.linux', () => {
  it('takes the last apt upgrade (not the later plain install) and passes within the limit', async () => {
    const finding = await run(
      {
        '/etc/os-release': ubuntu,
        '/var/log/apt/history.log': readFixture('linux/apt-history.log'),
        '/var/log/dpkg.log': readFixture('linux/dpkg.log'),
      },
      '2026-11-10T12:00:00',
    );
    expect(finding.status).toBe('pass');
    expect(finding.observed).toMatch(/^Ubuntu 24.04.1 LTS; last package upgrade 2026-10-20 \(21 days ago\)$/);
  });

  it('fails when the last upgrade is older than maxPatchAgeDays', async () => {
    const finding = await run(
      { '/etc/os-release': ubuntu, '/var/log/dpkg.log': readFixture('linux/dpkg.log') },
      '2026-11-26T12:00:00',
      30,
    );
    expect(finding.status).toBe('fail');
    expect(finding.observed).toContain('(37 days ago)');
    expect(finding.expected).toBe('packages upgraded within the last 30 days');
  });

  it('reads pacman and dnf logs (installs do not count as patches)', async () => {
    const arch = await run(
      {
        '/etc/os-release': readFixture('linux/os-release-arch.txt'),
        '/var/log/pacman.log': readFixture('linux/pacman.log'),
      },
      '2026-11-26T12:00:00Z',
    );
    expect(arch).toMatchObject({ status: 'fail' });
    expect(arch.observed).toContain('Arch Linux; last package upgrade 2026-09-28');
    const fedora = await run(
      {
        '/usr/lib/os-release': readFixture('linux/os-release-fedora-40.txt'),
        '/var/log/dnf.rpm.log': readFixture('linux/dnf.rpm.log'),
      },
      '2026-11-26T12:00:00Z',
    );
    expect(fedora.status).toBe('pass');
    expect(fedora.observed).toContain(
      'Fedora Linux 40 (Workstation Edition); last package upgrade 2026-11-18 (8 days ago)',
    );
  });

  it('answers unknown when no log can be read, when logs hold no upgrade, or when the date is in the future', async () => {
    const denied = await run(
      { '/etc/os-release': ubuntu, '/var/log/apt/history.log': { failure: 'permission_denied' } },
      '2026-11-26T12:00:00',
    );
    expect(denied.status).toBe('unknown');
    expect(denied.observed).toContain('permission denied: /var/log/apt/history.log');
    expect((await run({ '/etc/os-release': ubuntu }, '2026-11-26T12:00:00')).status).toBe('unknown');
    expect(
      (await run({ '/var/log/dpkg.log': readFixture('linux/garbage.txt') }, '2026-11-26T12:00:00')).status,
    ).toBe('unknown');
    expect(
      (await run({ '/var/log/dpkg.log': readFixture('linux/dpkg.log') }, '2025-01-01T00:00:00')).status,
    ).toBe('unknown');
  });
});
