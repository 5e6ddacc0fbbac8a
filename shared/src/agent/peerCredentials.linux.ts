import { execFile } from 'node:child_process';
import { readFile, readlink } from 'node:fs/promises';
import type { Socket } from 'node:net';
import type { PeerCredentials, PeerLookup } from './PeerLookup.js';

export interface LinuxPeerLookupDeps {
  /** Runs `ss` (iproute2) and returns its stdout. */
  readonly ss?: () => Promise<string>;
  readonly readlink?: (path: string) => Promise<string>;
  readonly readFile?: (path: string) => Promise<string>;
}

interface SsRow {
  readonly peer: number;
  readonly pids: readonly number[];
}

/**
 * `ss -xpnH [state established]` rows by local inode (the State column is absent with a state filter). A row ends `<local inode> <peer addr> <peer inode> [users:((…))]`.
 * Process names are under the peer's control, so parsing only ever ADDS pids (every pid found must
 * pass the uid check) and an inode listed twice makes the whole table untrusted.
 */
export function parseSsTable(output: string): Map<number, SsRow> | undefined {
  const rows = new Map<number, SsRow>();
  for (const line of output.split('\n')) {
    const m =
      /^u_(?:str|seq)\s+(?:[A-Z][A-Z-]*\s+)?\d+\s+\d+\s+.*?\s(\d+)\s+\S+\s+(\d+)(?:\s+(users:\(.*\)))?\s*$/.exec(
        line,
      );
    if (m === null) continue;
    const local = Number(m[1]);
    if (rows.has(local)) return undefined;
    const pids = [...(m[3] ?? '').matchAll(/pid=(\d+)/g)].map((p) => Number(p[1]));
    rows.set(local, { peer: Number(m[2]), pids });
  }
  return rows;
}

/** Real and effective uid from /proc/<pid>/status (`Uid: real effective saved fs`). */
export function parseStatusUids(status: string): readonly number[] | undefined {
  const m = /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/m.exec(status);
  return m === null ? undefined : [Number(m[1]), Number(m[2])];
}

const runSs = (): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile(
      'ss',
      ['-xpnH', 'state', 'established'],
      { timeout: 5_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    );
  });

/**
 * Who is on the other end of an accepted Unix socket, on Linux. Node has no SO_PEERCRED, so the
 * agent asks the kernel's socket table through sock_diag (`ss`, iproute2): our end's inode (from
 * /proc/self/fd) → its peer inode → the processes holding that peer (`ss -p` reads their
 * /proc/<pid>/fd) → each one's real and effective uid (/proc/<pid>/status). Unlike SO_PEERCRED this
 * sees who holds the socket now, not who connected; a process that cannot be seen (another user's,
 * when the agent is not root) yields no answer, and the server refuses the peer.
 */
export function createLinuxPeerLookup(deps: LinuxPeerLookupDeps = {}): PeerLookup {
  const ss = deps.ss ?? runSs;
  const link = deps.readlink ?? ((p: string) => readlink(p));
  const read = deps.readFile ?? ((p: string) => readFile(p, 'utf8'));
  return async (socket: Socket): Promise<PeerCredentials | undefined> => {
    // Not public API, but present on every Node release for pipe handles on Unix.
    const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
    if (typeof fd !== 'number' || fd < 0) return undefined;
    const inode = /^socket:\[(\d+)\]$/.exec(await link(`/proc/self/fd/${String(fd)}`).catch(() => ''))?.[1];
    if (inode === undefined) return undefined;
    const table = parseSsTable(await ss().catch(() => ''));
    const ours = table?.get(Number(inode));
    const peer = ours === undefined ? undefined : table?.get(ours.peer);
    if (peer === undefined || peer.pids.length === 0) return undefined;
    const uids: number[] = [];
    for (const pid of new Set(peer.pids)) {
      const found = parseStatusUids(await read(`/proc/${String(pid)}/status`).catch(() => ''));
      if (found === undefined) return undefined;
      uids.push(...found);
    }
    return { uids: [...new Set(uids)], pids: [...new Set(peer.pids)] };
  };
}
