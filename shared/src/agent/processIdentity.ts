import { processIdentityLinux } from './processIdentity.linux.js';

/**
 * A running process as the agent can tell it apart from a later one with the same pid. `start` is
 * the kernel's start time (Linux: /proc/<pid>/stat field 22), null where the platform does not say;
 * `uid` its real uid, null where unknown, -1 for "exists, but another user's" (EPERM).
 */
export interface ProcessIdentity {
  readonly start: string | null;
  readonly uid: number | null;
}

/** undefined: no such process. */
export type IdentifyProcess = (pid: number) => ProcessIdentity | undefined;

/**
 * The probe for a platform. Linux reads /proc (start time and uid, so a reused pid is a different
 * process); elsewhere only `process.kill(pid, 0)` (exists, and ours or not), so a pid reused by
 * another process of the same user would keep a watch alive there until that one exits too.
 */
export function identifyProcessFor(platform: NodeJS.Platform): IdentifyProcess {
  return platform === 'linux' ? processIdentityLinux : signalZeroIdentity;
}

export function signalZeroIdentity(pid: number): ProcessIdentity | undefined {
  try {
    process.kill(pid, 0);
    return { start: null, uid: null };
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? { start: null, uid: -1 } : undefined;
  }
}
