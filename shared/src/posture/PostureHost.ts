/**
 * What a posture check may touch on the machine, passed in by the host (CLI, tray, tests). Checks
 * never import node:child_process or node:fs themselves, so every OS branch runs anywhere against
 * recorded outputs (fixtures/) and the real implementation lives in one place (nodeHost.ts).
 */

/** Why a command produced no usable exit status. Distinct from a non-zero exit, which is an answer. */
export type ExecFailure = 'not_found' | 'permission_denied' | 'timeout' | 'output_too_large' | 'spawn_failed';

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  /** null when the process never ran to an exit status (see `failure`). */
  readonly exitCode: number | null;
  readonly failure?: ExecFailure;
}

export interface ExecOptions {
  /** The command is killed after this long and answers `failure: 'timeout'`. */
  readonly timeoutMs: number;
}

export type FileFailure = 'not_found' | 'permission_denied' | 'too_large' | 'failed';

export type FileReadResult =
  | { readonly ok: true; readonly data: Uint8Array }
  | { readonly ok: false; readonly failure: FileFailure; readonly detail: string };

export type DirReadResult =
  | { readonly ok: true; readonly entries: readonly string[] }
  | { readonly ok: false; readonly failure: FileFailure; readonly detail: string };

export interface PostureHost {
  /** `process.platform` of the machine being checked; picks the per-OS check files. */
  readonly platform: string;
  /** The user's home directory: the disk-encryption check looks at the volume that holds it. */
  readonly homeDir: string;
  /** The environment the checks may consult (desktop session, locale, Windows drive letters). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now: () => Date;
  /** Runs a program directly (no shell, so no argument is ever interpreted by a shell). Never throws. */
  readonly exec: (file: string, args: readonly string[], options: ExecOptions) => Promise<ExecResult>;
  /** Never throws. */
  readonly readFile: (path: string) => Promise<FileReadResult>;
  /** Never throws. */
  readonly readDir: (path: string) => Promise<DirReadResult>;
}
