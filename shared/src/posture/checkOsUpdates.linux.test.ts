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
  it('takes the last upgrade from apt and dpkg logs (not the later plain install) and passes within the limit', async () => {
    const finding = await run(
      {
        '/etc/os-release': ubuntu,
        '/var/log/apt/history.log': readFixture('linux/apt-history.log'),
        '/var/log/dpkg.log': readFixture('linux/dpkg.log'),
      },
      '2026-11-10T12:00:00',
    );
    expect(finding.status).toBe('pass');
    expect(finding.observed).toBe('Ubuntu 24.04.1 LTS; last patched 2026-10-20, 21 days ago (dpkg upgrade)');
  });

  it('fails when the last upgrade is older than maxPatchAgeDays', async () => {
    const finding = await run(
      { '/etc/os-release': ubuntu, '/var/log/dpkg.log': readFixture('linux/dpkg.log') },
      '2026-11-26T12:00:00',
      30,
    );
    expect(finding.status).toBe('fail');
    expect(finding.observed).toContain('37 days ago (dpkg upgrade)');
    expect(finding.expected).toBe('updates installed within the last 30 days, no security update pending');
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
    expect(arch.observed).toContain('Arch Linux; last patched 2026-09-28');
    const fedora = await run(
      {
        '/usr/lib/os-release': readFixture('linux/os-release-fedora-40.txt'),
        '/var/log/dnf.rpm.log': readFixture('linux/dnf.rpm.log'),
      },
      '2026-11-26T12:00:00Z',
    );
    expect(fedora.status).toBe('pass');
    expect(fedora.observed).toBe(
      'Fedora Linux 40 (Workstation Edition); last patched 2026-11-18, 8 days ago (dnf upgrade)',
    );
  });

  it('counts an unattended-upgrades run that found nothing to install as current', async () => {
    const finding = await run(
      {
        '/etc/os-release': ubuntu,
        '/var/log/dpkg.log': readFixture('linux/dpkg.log'),
        '/var/log/unattended-upgrades/unattended-upgrades.log': readFixture('linux/unattended-upgrades.log'),
        '/var/lib/update-notifier/updates-available': readFixture(
          'linux/update-notifier-updates-available-none',
        ),
      },
      '2026-11-26T12:00:00',
    );
    expect(finding).toMatchObject({
      status: 'pass',
      observed: expect.stringContaining(
        '2026-11-24, 2 days ago (unattended-upgrades: nothing left to install)',
      ),
    });
  });

  it('fails on security updates waiting in update-notifier, even after a recent upgrade; German text is not read', async () => {
    const files = { '/etc/os-release': ubuntu, '/var/log/dpkg.log': readFixture('linux/dpkg.log') };
    const waiting = await run(
      {
        ...files,
        '/var/lib/update-notifier/updates-available': readFixture('linux/update-notifier-updates-available'),
      },
      '2026-10-21T12:00:00',
    );
    expect(waiting.status).toBe('fail');
    expect(waiting.observed).toContain('9 security updates pending (update-notifier)');
    const noDates = await run(
      {
        '/etc/os-release': ubuntu,
        '/var/lib/update-notifier/updates-available': readFixture('linux/update-notifier-updates-available'),
      },
      '2026-10-21T12:00:00',
    );
    expect(noDates.status).toBe('fail');
    const german = await run(
      {
        ...files,
        '/var/lib/update-notifier/updates-available': readFixture(
          'linux/update-notifier-updates-available-de',
        ),
      },
      '2026-10-21T12:00:00',
    );
    expect(german.status).toBe('pass');
    expect(german.observed).not.toContain('pending');
  });

  it('fails a recently upgraded machine whose security lists hold newer versions than installed', async () => {
    const list = 'deb.debian.org_debian-security_dists_bookworm-security_main_binary-amd64_Packages';
    const { context } = recordedContext({
      platform: 'linux',
      homeDir: '/home/alice',
      now: new Date('2026-11-03T12:00:00'),
      dirs: { '/var/lib/apt/lists': [list] },
      files: {
        '/etc/os-release': ubuntu,
        '/var/log/dpkg.log': readFixture('linux/dpkg.log'),
        [`/var/lib/apt/lists/${list}`]: readFixture(`linux/${list}`),
        '/var/lib/dpkg/status': readFixture('linux/dpkg-status'),
      },
    });
    const finding = await checkOsUpdatesLinux.run(context);
    expect(finding.status).toBe('fail');
    expect(finding.observed).toContain(
      '14 days ago (dpkg upgrade); 1 security updates published but not installed (libssl3)',
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
