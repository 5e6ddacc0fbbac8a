import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createLinuxPeerLookup, parseSsTable, parseStatusUids } from './peerCredentials.linux.js';

const fakeSocket = (fd: number) => ({ _handle: { fd } }) as unknown as Socket;
const statusOf = (uid: number) =>
  `Name:\tnode\nUid:\t${String(uid)}\t${String(uid)}\t${String(uid)}\t${String(uid)}\n`;

// `ss -xpnH state established` as iproute2 6.1 prints it (no State column with a state filter).
const table = [
  'u_str 0      0      /run/user/1000/strongroom/agent.sock 95998 * 95997 users:(("node",pid=300,fd=21))',
  'u_str 0      0                * 95997 * 95998 users:(("strongroom",pid=400,fd=20))',
  'u_str 0      0                * 6188   * 6189   users:(("beam.smp",pid=2932,fd=16))',
].join('\n');

function lookup(ss: string, uids: Record<number, number>) {
  return createLinuxPeerLookup({
    ss: () => Promise.resolve(ss),
    readlink: (p) =>
      p === '/proc/self/fd/21' ? Promise.resolve('socket:[95998]') : Promise.reject(new Error('ENOENT')),
    readFile: (p) => {
      const pid = Number(/^\/proc\/(\d+)\/status$/.exec(p)?.[1]);
      return uids[pid] === undefined
        ? Promise.reject(new Error('ENOENT'))
        : Promise.resolve(statusOf(uids[pid]));
    },
  })(fakeSocket(21));
}

describe('peerCredentials.linux', () => {
  it('finds the peer of our socket and its uid', async () => {
    expect(await lookup(table, { 300: 1000, 400: 1000 })).toEqual({ uids: [1000], pids: [400] });
    expect(await lookup(table, { 400: 65534 })).toEqual({ uids: [65534], pids: [400] });
  });

  it('also parses the State column (ss without a state filter)', () => {
    const rows = parseSsTable('u_str ESTAB 0 0 * 95997 * 95998 users:(("x",pid=1,fd=2))');
    expect(rows?.get(95997)).toEqual({ peer: 95998, pids: [1] });
  });

  it('gives no answer when the peer cannot be seen (another user, not root) or its uid cannot be read', async () => {
    const hidden = table.replace('users:(("strongroom",pid=400,fd=20))', '');
    expect(await lookup(hidden, { 300: 1000 })).toBeUndefined();
    expect(await lookup(table, { 300: 1000 })).toBeUndefined();
    expect(await lookup('', {})).toBeUndefined();
  });

  it('a process name that smuggles in a pid only adds a pid: the real one still has to pass', async () => {
    const forged = table.replace('("strongroom",pid=400,fd=20)', '("x\\",pid=300",pid=400,fd=20)');
    expect(await lookup(forged, { 300: 1000, 400: 65534 })).toEqual({
      uids: [1000, 65534],
      pids: [300, 400],
    });
  });

  it('distrusts a table that lists one inode twice (a forged row)', () => {
    expect(parseSsTable(`${table}\nu_str 0 0 * 95997 * 1 users:(("x",pid=1,fd=1))`)).toBeUndefined();
  });

  it('reads real and effective uid from /proc/<pid>/status', () => {
    expect(parseStatusUids('Uid:\t1000\t0\t0\t0\n')).toEqual([1000, 0]);
    expect(parseStatusUids('garbage')).toBeUndefined();
  });
});
