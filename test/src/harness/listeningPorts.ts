import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/**
 * The TCP ports this process listens on (Linux: its socket inodes in /proc/self/fd matched against
 * the LISTEN rows of /proc/net/tcp and tcp6). Lets a test see whether something listens at all,
 * not only whether a known port answers.
 */
export function listeningPorts(): Set<number> {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode !== undefined) inodes.add(inode);
    } catch {
      // closed between the listing and the read
    }
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const row of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const cols = row.trim().split(/\s+/);
      // local_address is hex ip:port; st 0A is LISTEN; the inode is the tenth column.
      const [local, state, inode] = [cols[1] ?? '', cols[3], cols[9] ?? ''];
      if (state === '0A' && inodes.has(inode)) ports.add(Number.parseInt(local.split(':')[1] ?? '', 16));
    }
  }
  return ports;
}
