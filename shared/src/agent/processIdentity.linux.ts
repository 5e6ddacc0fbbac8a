import { readFileSync } from 'node:fs';
import { parseStatusUids } from './peerCredentials.linux.js';
import type { ProcessIdentity } from './processIdentity.js';

/**
 * Start time (clock ticks since boot, field 22 of /proc/<pid>/stat, proc(5)) and real uid
 * (/proc/<pid>/status) of a process. The command name (field 2) is in parentheses and may itself
 * contain spaces and parentheses, so the fields are counted from the last `)`. A zombie (state Z)
 * has exited: it counts as gone.
 */
export function processIdentityLinux(pid: number): ProcessIdentity | undefined {
  if (!Number.isSafeInteger(pid) || pid < 1) return undefined;
  let stat: string;
  let status: string;
  try {
    stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = parseStatFields(stat);
  if (fields === undefined || fields.state === 'Z' || fields.state === 'X') return undefined;
  return { start: fields.start, uid: parseStatusUids(status)?.[0] ?? null };
}

/** State (field 3), parent pid (field 4) and start time (field 22) of a /proc/<pid>/stat line. */
export function parseStatFields(stat: string): { state: string; ppid: number; start: string } | undefined {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [state, ppid, start] = [rest[0], rest[1], rest[19]];
  if (state === undefined || ppid === undefined || start === undefined || !/^\d+$/.test(start))
    return undefined;
  return { state, ppid: Number(ppid), start };
}
