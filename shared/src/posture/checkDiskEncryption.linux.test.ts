import { describe, expect, it } from 'vitest';
import { checkDiskEncryptionLinux } from './checkDiskEncryption.linux.js';
import { readFixture } from './fixtures/readFixture.js';
import { recordedContext } from './fixtures/recordedContext.js';
import { printable } from './PostureFinding.js';
import { recorded, type RecordedCommand } from './RecordedPostureHost.js';

const home = '/home/alice';
const findmntArgs = ['-J', '-T', home, '-o', 'TARGET,SOURCE,FSTYPE'];
const lsblkArgs = ['-J', '-o', 'NAME,TYPE,FSTYPE,MOUNTPOINTS,PKNAME'];

function machine(findmnt: string, lsblk: string, extra: RecordedCommand[] = []) {
  return recordedContext({
    platform: 'linux',
    homeDir: home,
    now: new Date('2026-11-26T07:00:00Z'),
    commands: [
      { file: 'findmnt', args: findmntArgs, result: recorded.ok(readFixture(`linux/${findmnt}`)) },
      { file: 'lsblk', args: lsblkArgs, result: recorded.ok(readFixture(`linux/${lsblk}`)) },
      ...extra,
    ],
  });
}

describe('checkDiskEncryption.linux', () => {
  it('passes for Ubuntu LUKS + LVM: the root LV holding /home sits on a crypt device', async () => {
    const { context } = machine('findmnt-ubuntu-luks-lvm.json', 'lsblk-ubuntu-luks-lvm.json');
    const finding = await checkDiskEncryptionLinux.run(context);
    expect(finding.status).toBe('pass');
    expect(finding.observed).toContain('dm_crypt-0 (crypt)');
    expect(finding.observed).toContain('ubuntu--vg-ubuntu--lv (lvm)');
  });

  it('fails a plain home even when an unrelated encrypted loop device is mounted elsewhere', async () => {
    const { context } = machine('findmnt-plain-home.json', 'lsblk-plain-with-encrypted-loop.json');
    const finding = await checkDiskEncryptionLinux.run(context);
    expect(finding.status).toBe('fail');
    expect(finding.observed).toBe('/home/alice is on nvme0n1p2 (part) on nvme0n1 (disk): no crypt layer');
    expect(finding.fix).toMatch(/LUKS/);
  });

  it('passes for Fedora btrfs subvolumes on LUKS (source carries the [/home] subvolume)', async () => {
    const { context } = machine('findmnt-fedora-btrfs-home.json', 'lsblk-fedora-btrfs-luks.json');
    const finding = await checkDiskEncryptionLinux.run(context);
    expect(finding.status).toBe('pass');
    expect(finding.observed).toContain('luks-3f6c1a2e-9b7d-4c0e-8f4a-6d2b1e7a9c55 (crypt)');
  });

  it('fails when a volume group spans an encrypted and a plain disk', async () => {
    const { context } = machine('findmnt-lvm-two-pvs-home.json', 'lsblk-lvm-two-pvs-one-plain.json');
    const finding = await checkDiskEncryptionLinux.run(context);
    expect(finding.status).toBe('fail');
    expect(finding.observed).toContain('vg0-home (lvm) on sdb1 (part) on sdb (disk)');
  });

  it('fails this VM recording: ext4 straight on /dev/vda', async () => {
    const { context } = recordedContext({
      platform: 'linux',
      homeDir: '/root',
      now: new Date(),
      commands: [
        {
          file: 'findmnt',
          args: ['-J', '-T', '/root', '-o', 'TARGET,SOURCE,FSTYPE'],
          result: recorded.ok(readFixture('linux/findmnt-this-vm-vda.json')),
        },
        { file: 'lsblk', args: lsblkArgs, result: recorded.ok(readFixture('linux/lsblk-this-vm-vda.json')) },
      ],
    });
    expect((await checkDiskEncryptionLinux.run(context)).status).toBe('fail');
  });

  it('falls back to MOUNTPOINT on util-linux 2.34 and still walks to the crypt layer', async () => {
    const { context, host } = recordedContext({
      platform: 'linux',
      homeDir: home,
      now: new Date(),
      commands: [
        {
          file: 'findmnt',
          args: findmntArgs,
          result: recorded.ok(readFixture('linux/findmnt-ubuntu2004-root.json')),
        },
        {
          file: 'lsblk',
          args: lsblkArgs,
          result: recorded.exited(1, readFixture('linux/lsblk-2.34-unknown-column.txt')),
        },
        {
          file: 'lsblk',
          args: ['-J', '-o', 'NAME,TYPE,FSTYPE,MOUNTPOINT,PKNAME'],
          result: recorded.ok(readFixture('linux/lsblk-2.34-mountpoint.json')),
        },
      ],
    });
    const finding = await checkDiskEncryptionLinux.run(context);
    expect(finding.status).toBe('pass');
    expect(finding.observed).toContain('sda3_crypt (crypt)');
    expect(host.calls.filter((call) => call.startsWith('lsblk'))).toHaveLength(2);
  });

  it('answers unknown, never pass, when findmnt or lsblk is missing, denied, slow or talks garbage', async () => {
    const cases: RecordedCommand[][] = [
      [],
      [{ file: 'findmnt', args: findmntArgs, result: recorded.failed('permission_denied') }],
      [{ file: 'findmnt', args: findmntArgs, result: recorded.failed('timeout') }],
      [{ file: 'findmnt', args: findmntArgs, result: recorded.ok(readFixture('linux/garbage.txt')) }],
      [{ file: 'findmnt', args: findmntArgs, result: recorded.exited(1, 'findmnt: /home/alice: not found') }],
      [
        {
          file: 'findmnt',
          args: findmntArgs,
          result: recorded.ok(readFixture('linux/findmnt-ubuntu-luks-lvm.json')),
        },
        { file: 'lsblk', args: lsblkArgs, result: recorded.ok(readFixture('linux/garbage.txt')) },
      ],
      [
        // lsblk does not list the device findmnt names (here: /home on a LUKS device lsblk never shows).
        {
          file: 'findmnt',
          args: findmntArgs,
          result: recorded.ok(readFixture('linux/findmnt-fedora-btrfs-home.json')),
        },
        {
          file: 'lsblk',
          args: lsblkArgs,
          result: recorded.ok(readFixture('linux/lsblk-plain-with-encrypted-loop.json')),
        },
      ],
    ];
    for (const commands of cases) {
      const { context } = recordedContext({ platform: 'linux', homeDir: home, now: new Date(), commands });
      const finding = await checkDiskEncryptionLinux.run(context);
      expect(finding.status, JSON.stringify(commands.map((c) => c.result))).toBe('unknown');
      expect(finding.observed).toBe(printable(finding.observed));
    }
  });

  it('reads ZFS native encryption, and treats network home directories as unknown', async () => {
    const zfs = (stdout: string) =>
      recordedContext({
        platform: 'linux',
        homeDir: home,
        now: new Date(),
        commands: [
          {
            file: 'findmnt',
            args: findmntArgs,
            result: recorded.ok(
              '{"filesystems": [{"target": "/home/alice", "source": "rpool/USERDATA/alice_x1", "fstype": "zfs"}]}',
            ),
          },
          {
            file: 'zfs',
            args: ['get', '-H', '-o', 'value', 'encryption,keystatus', 'rpool/USERDATA/alice_x1'],
            result: recorded.ok(stdout),
          },
        ],
      }).context;
    expect((await checkDiskEncryptionLinux.run(zfs('aes-256-gcm\navailable\n'))).status).toBe('pass');
    expect((await checkDiskEncryptionLinux.run(zfs('off\n-\n'))).status).toBe('fail');
    const { context } = recordedContext({
      platform: 'linux',
      homeDir: home,
      now: new Date(),
      commands: [
        {
          file: 'findmnt',
          args: findmntArgs,
          result: recorded.ok(
            '{"filesystems": [{"target": "/home", "source": "nas:/export/home", "fstype": "nfs4"}]}',
          ),
        },
      ],
    });
    expect((await checkDiskEncryptionLinux.run(context)).status).toBe('unknown');
  });
});
