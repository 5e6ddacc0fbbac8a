import { readFileSync } from 'node:fs';
import {
  RecordedPostureHost,
  recorded,
  type RecordedMachine,
} from '@strongroom/shared/posture/RecordedPostureHost.js';
import type { PostureOptionsInput } from '@strongroom/shared/posture/PostureOptions.js';

// The posture checks' recorded outputs, read from the shared source tree (they are not built into dist/).
const fixtures = new URL('../../../shared/src/posture/fixtures/linux/', import.meta.url);
const text = (name: string): string => readFileSync(new URL(name, fixtures), 'utf8');
const bytes = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, fixtures)));

const home = '/home/alice';
const efivars = '/sys/firmware/efi/efivars';
const secureBoot = 'SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c';

/** The /proc tree of the recorded Ubuntu GNOME desktop (pid, comm, argv0, uid per line). */
function procTree(): { files: Record<string, string>; dirs: Record<string, string[]> } {
  const status = (pid: string, comm: string, uid: string): string =>
    `Name:\t${comm}\nPid:\t${pid}\nPPid:\t1\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\nGid:\t${uid}\t${uid}\t${uid}\t${uid}\n`;
  const files: Record<string, string> = { '/proc/self/status': status('4999', 'node', '1000') };
  const pids: string[] = [];
  for (const line of text('proc-ubuntu-gnome.tsv').split('\n')) {
    const [pid, comm, argv0, uid = '0'] = line.split('\t');
    if (!pid || !comm) continue;
    pids.push(pid);
    files[`/proc/${pid}/comm`] = `${comm}\n`;
    files[`/proc/${pid}/cmdline`] = argv0 ? `${argv0}\0` : '';
    files[`/proc/${pid}/status`] = status(pid, comm, uid);
  }
  return { files, dirs: { '/proc': ['self', 'meminfo', ...pids] } };
}

/**
 * Host facts at the edge (issue 8 tests): a recorded Ubuntu workstation whose six posture checks
 * all pass (LUKS home, ufw's nft ruleset dropping input, recent dpkg upgrades, GNOME lock after
 * 300 s, Secure Boot on, falcon-sensor running), or the same machine with its firewall open
 * (`firewall: 'open'`, Docker's ruleset accepting input). The checks themselves run for real.
 */
export function recordedWorkstation(options: { firewall: 'on' | 'open' }): {
  host: RecordedPostureHost;
  options: PostureOptionsInput;
} {
  const proc = procTree();
  const machine: RecordedMachine = {
    platform: 'linux',
    homeDir: home,
    now: new Date(),
    env: { XDG_CURRENT_DESKTOP: 'ubuntu:GNOME' },
    commands: [
      {
        file: 'findmnt',
        args: ['-J', '-T', home, '-o', 'TARGET,SOURCE,FSTYPE'],
        result: recorded.ok(text('findmnt-ubuntu-luks-lvm.json')),
      },
      {
        file: 'lsblk',
        args: ['-J', '-o', 'NAME,TYPE,FSTYPE,MOUNTPOINTS,PKNAME'],
        result: recorded.ok(text('lsblk-ubuntu-luks-lvm.json')),
      },
      {
        file: 'nft',
        args: ['-j', 'list', 'ruleset'],
        result: recorded.ok(
          text(
            options.firewall === 'on' ? 'nft-ruleset-ufw-active.json' : 'nft-ruleset-docker-open-input.json',
          ),
        ),
      },
      {
        file: 'gsettings',
        args: ['get', 'org.gnome.desktop.screensaver', 'lock-enabled'],
        result: recorded.ok(text('gsettings-lock-enabled-true.txt')),
      },
      {
        file: 'gsettings',
        args: ['get', 'org.gnome.desktop.session', 'idle-delay'],
        result: recorded.ok(text('gsettings-idle-delay-300.txt')),
      },
      {
        file: 'gsettings',
        args: ['get', 'org.gnome.desktop.screensaver', 'lock-delay'],
        result: recorded.ok(text('gsettings-lock-delay-0.txt')),
      },
      {
        file: 'gsettings',
        args: ['get', 'org.gnome.desktop.lockdown', 'disable-lock-screen'],
        result: recorded.ok(text('gsettings-disable-lock-screen-false.txt')),
      },
    ],
    files: {
      ...proc.files,
      '/etc/os-release': text('os-release-ubuntu-2404.txt'),
      '/var/log/apt/history.log': text('apt-history.log'),
      '/var/log/dpkg.log': text('dpkg.log'),
      [`${efivars}/${secureBoot}`]: bytes('efivar-SecureBoot-enabled.bin'),
    },
    dirs: { ...proc.dirs, [efivars]: [secureBoot] },
  };
  return {
    host: new RecordedPostureHost(machine),
    // The recorded logs are from 2026-10; what is measured here is the agent, not the patch age.
    options: {
      maxPatchAgeDays: 3650,
      endpointProcesses: { linux: ['falcon-sensor'], darwin: ['x'], win32: ['x'] },
    },
  };
}
