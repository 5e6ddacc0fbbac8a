import { describe, expect, it } from 'vitest';
import { aptPendingSecurity } from './aptPendingSecurity.js';
import { readFixture } from './fixtures/readFixture.js';
import { recordedContext } from './fixtures/recordedContext.js';
import { recorded, type RecordedMachine } from './RecordedPostureHost.js';

const list = 'deb.debian.org_debian-security_dists_bookworm-security_main_binary-amd64_Packages';
const packages = readFixture(`linux/${list}`);
const status = readFixture('linux/dpkg-status');

function run(machine: Pick<RecordedMachine, 'files' | 'dirs' | 'commands'>) {
  const { context } = recordedContext({ platform: 'linux', homeDir: '/home/a', now: new Date(), ...machine });
  return aptPendingSecurity(context);
}

describe('aptPendingSecurity', () => {
  it('lists installed packages with a newer version in the security lists (not removed, not older, not absent)', async () => {
    const state = await run({
      dirs: {
        '/var/lib/apt/lists': [
          'lock',
          'partial',
          `${list.replace('_main_binary-amd64_Packages', '_InRelease')}`,
          list,
        ],
      },
      files: { [`/var/lib/apt/lists/${list}`]: packages, '/var/lib/dpkg/status': status },
    });
    expect(state).toEqual({ kind: 'read', pending: ['libssl3'] });
  });

  it('decompresses lz4 lists with the lz4 tool, and says so when it cannot', async () => {
    const machine = {
      dirs: { '/var/lib/apt/lists': [`${list}.lz4`] },
      files: { '/var/lib/dpkg/status': status },
    };
    const withTool = await run({
      ...machine,
      commands: [
        { file: 'lz4', args: ['-dc', `/var/lib/apt/lists/${list}.lz4`], result: recorded.ok(packages) },
      ],
    });
    expect(withTool).toEqual({ kind: 'read', pending: ['libssl3'] });
    const withoutTool = await run(machine);
    expect(withoutTool).toEqual({ kind: 'unreadable', detail: 'lz4 -dc: not installed (command not found)' });
  });

  it('tells a non-apt system from an unreadable one', async () => {
    expect(await run({})).toEqual({ kind: 'not_apt' });
    expect((await run({ dirs: { '/var/lib/apt/lists': ['lock'] } })).kind).toBe('unreadable');
    const noStatus = await run({
      dirs: { '/var/lib/apt/lists': [list] },
      files: { [`/var/lib/apt/lists/${list}`]: packages },
    });
    expect(noStatus).toEqual({ kind: 'unreadable', detail: '/var/lib/dpkg/status: not found' });
  });
});
