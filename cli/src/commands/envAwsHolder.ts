import { readFileSync, readlinkSync } from 'node:fs';
import { parseStatFields } from '@strongroom/shared/agent/processIdentity.linux.js';

/** The process a new terminal token follows: the agent revokes the token when it exits. */
export interface TokenHolder {
  readonly pid: number;
  /** Linux: its start time (/proc/<pid>/stat field 22), so the agent can tell a reused pid. */
  readonly start?: string;
}

export interface HolderDeps {
  readonly platform: NodeJS.Platform;
  readonly pid: number;
  readonly ppid: number;
  readonly readlink: (path: string) => string;
  readonly readFile: (path: string) => string;
}

const MAX_HOPS = 8;

export const processHolderDeps = (): HolderDeps => ({
  platform: process.platform,
  pid: process.pid,
  ppid: process.ppid,
  readlink: (path) => readlinkSync(path),
  readFile: (path) => readFileSync(path, 'utf8'),
});

/**
 * Which process will hold the token `strongroom env aws` prints. In `eval "$(strongroom env aws …)"`
 * the output goes through a pipe to the shell that evals it, and the processes between us and that
 * shell (a command-substitution subshell bash did not optimise away, `npx`'s `npm exec` and `sh -c`)
 * all write to that same pipe: on Linux, the holder is the first ancestor whose stdout is not our
 * pipe. Printed to a terminal or a file (`> env.sh; . env.sh`), it is our parent. Elsewhere (no
 * /proc) it is our parent too: run through a wrapper there, pass `--pid`.
 */
export function tokenHolder(deps: HolderDeps): TokenHolder {
  if (deps.platform !== 'linux') return { pid: deps.ppid };
  const ours = safe(() => deps.readlink(`/proc/${String(deps.pid)}/fd/1`));
  let pid = deps.ppid;
  if (ours?.startsWith('pipe:') === true)
    for (let hop = 0; hop < MAX_HOPS && pid > 1; hop++) {
      if (safe(() => deps.readlink(`/proc/${String(pid)}/fd/1`)) !== ours) break;
      const parent = statOf(deps, pid)?.ppid;
      if (parent === undefined || parent < 1) break;
      pid = parent;
    }
  return withStart(deps, pid);
}

/** `--pid <n>`: that process, with its start time where the platform tells it. */
export function explicitHolder(deps: HolderDeps, pid: number): TokenHolder {
  return deps.platform === 'linux' ? withStart(deps, pid) : { pid };
}

function withStart(deps: HolderDeps, pid: number): TokenHolder {
  const start = statOf(deps, pid)?.start;
  return start === undefined ? { pid } : { pid, start };
}

function statOf(deps: HolderDeps, pid: number): ReturnType<typeof parseStatFields> {
  const stat = safe(() => deps.readFile(`/proc/${String(pid)}/stat`));
  return stat === undefined ? undefined : parseStatFields(stat);
}

function safe<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
