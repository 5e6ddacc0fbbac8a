import type {
  DirReadResult,
  ExecFailure,
  ExecResult,
  FileFailure,
  FileReadResult,
  PostureHost,
} from './PostureHost.js';

/** One recorded command: matched by program and exact arguments, or for PowerShell by a piece of the script. */
export interface RecordedCommand {
  readonly file: string;
  readonly args?: readonly string[];
  readonly scriptIncludes?: string;
  readonly result: ExecResult;
}

export interface RecordedMachine {
  readonly platform: string;
  readonly homeDir: string;
  readonly now: Date;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly commands?: readonly RecordedCommand[];
  readonly files?: Readonly<Record<string, string | Uint8Array | { readonly failure: FileFailure }>>;
  readonly dirs?: Readonly<Record<string, readonly string[] | { readonly failure: FileFailure }>>;
}

/** What commands answer in recordings: output and an exit status, or the way they failed to run. */
export const recorded = {
  ok: (stdout: string, stderr = ''): ExecResult => ({ stdout, stderr, exitCode: 0 }),
  exited: (exitCode: number, stderr: string, stdout = ''): ExecResult => ({ stdout, stderr, exitCode }),
  failed: (failure: ExecFailure): ExecResult => ({ stdout: '', stderr: '', exitCode: null, failure }),
};

const fileDetail: Record<FileFailure, string> = {
  not_found: 'not found',
  permission_denied: 'permission denied',
  too_large: 'larger than 64 MiB',
  failed: 'read failed',
};

/**
 * A machine replayed from recorded outputs (fixtures/), so every OS's checks run on any OS. It sits
 * at the edge the checks talk to, as the real node host does; anything not recorded behaves as it
 * would on a machine without it (command not found, file not found). `calls` lists what was asked.
 */
export class RecordedPostureHost implements PostureHost {
  readonly platform: string;
  readonly homeDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly calls: string[] = [];
  readonly #machine: RecordedMachine;

  constructor(machine: RecordedMachine) {
    this.#machine = machine;
    this.platform = machine.platform;
    this.homeDir = machine.homeDir;
    this.env = machine.env ?? {};
  }

  readonly now = (): Date => new Date(this.#machine.now);

  readonly exec = (file: string, args: readonly string[]): Promise<ExecResult> => {
    this.calls.push([file, ...args].join(' '));
    const match = (this.#machine.commands ?? []).find(
      (command) =>
        command.file === file &&
        (command.args === undefined || command.args.join('\0') === args.join('\0')) &&
        (command.scriptIncludes === undefined ||
          args.some((arg) => arg.includes(command.scriptIncludes ?? ''))),
    );
    return Promise.resolve(match?.result ?? recorded.failed('not_found'));
  };

  readonly readFile = (path: string): Promise<FileReadResult> => {
    this.calls.push(`read ${path}`);
    const entry = this.#machine.files?.[path];
    if (entry === undefined)
      return Promise.resolve({ ok: false, failure: 'not_found', detail: fileDetail.not_found });
    if (entry instanceof Uint8Array) return Promise.resolve({ ok: true, data: entry });
    if (typeof entry === 'string')
      return Promise.resolve({ ok: true, data: new TextEncoder().encode(entry) });
    return Promise.resolve({ ok: false, failure: entry.failure, detail: fileDetail[entry.failure] });
  };

  readonly readDir = (path: string): Promise<DirReadResult> => {
    this.calls.push(`list ${path}`);
    const entry = this.#machine.dirs?.[path];
    if (entry === undefined)
      return Promise.resolve({ ok: false, failure: 'not_found', detail: fileDetail.not_found });
    if ('failure' in entry)
      return Promise.resolve({ ok: false, failure: entry.failure, detail: fileDetail[entry.failure] });
    return Promise.resolve({ ok: true, entries: [...entry] });
  };
}
