import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The committed shim that npm links as `strongroom`; it imports cli/dist/bin/strongroom.js. */
export const STRONGROOM_BIN = fileURLToPath(new URL('../../bin/strongroom.js', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  /** Resolves with everything the process printed once it exits. */
  done: Promise<CliRun>;
  /** Resolves with the first stderr/stdout match of `pattern` (e.g. the printed sign-in URL). */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
}

/** Starts `strongroom <args>` as a real child process (for end-to-end tests). */
export function startStrongroom(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  command: readonly string[] = [process.execPath, STRONGROOM_BIN],
): RunningCli {
  const [exe, ...pre] = command;
  const child = spawn(exe as string, [...pre, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ pattern: RegExp; resolve: (m: RegExpExecArray) => void }> = [];
  const check = (): void => {
    for (const w of [...waiters]) {
      const match = w.pattern.exec(stderr) ?? w.pattern.exec(stdout);
      if (match !== null) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(match);
      }
    }
  };
  child.stdout.on('data', (d: Buffer) => ((stdout += d.toString()), check()));
  child.stderr.on('data', (d: Buffer) => ((stderr += d.toString()), check()));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  return {
    done,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        check();
        void done.then((run) =>
          reject(new Error(`strongroom exited (${run.code}) before printing ${pattern}:\n${run.stderr}`)),
        );
      }),
  };
}

export function runStrongroom(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return startStrongroom(args, env).done;
}

/** Runs a command to its end; `input`, when given, is written to its stdin. */
export function runProcess(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const { input, ...spawnOptions } = options;
    const child = spawn(command, args, {
      ...spawnOptions,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin?.end(input);
  });
}

/** Runs `strongroom <args>` with `input` on stdin, as git runs a credential helper. */
export function runStrongroomWithInput(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  input: string,
): Promise<CliRun> {
  return runProcess(process.execPath, [STRONGROOM_BIN, ...args], { env, input });
}
