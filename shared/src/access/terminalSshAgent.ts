import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { privateDirProblem } from '../agent/checkPrivateDir.js';
import { StrongroomError } from '../errors/StrongroomError.js';

/** Whether `pid` has ended (a zombie waiting for its reaper has: it holds no memory, no keys). */
export function processEnded(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat
      .slice(stat.lastIndexOf(')') + 1)
      .trimStart()
      .startsWith('Z');
  } catch {
    return false; // no /proc (macOS): kill(0) said it is there
  }
}

/** How long dispose waits for the killed agent to be gone before it lets the caller go on. */
const EXIT_WAIT_MS = 5_000;

/** One elevated terminal's own OpenSSH ssh-agent. */
export interface TerminalSshAgent {
  /** `SSH_AUTH_SOCK` of the terminal: `<dir>/ssh-XXXXXX/agent.sock`, both folders 0700. */
  readonly socketPath: string;
  /** The ssh-agent process. */
  readonly pid: number;
  /** Kills the agent (every key it holds goes with it) and removes its folder. Idempotent. */
  dispose(): Promise<void>;
}

/**
 * The command ssh-agent runs while it serves: it prints the agent's pid (which also says the socket
 * is listening: ssh-agent binds before it starts the command), then waits on its stdin, a pipe from
 * this process. ssh-agent in command mode checks every 10 s that the command's process is alive and
 * exits (removing its socket) once it is gone; if this process dies without disposing (the
 * extension host crashed), the pipe closes, `cat` ends, and the agent follows. Nothing leaks past
 * its host for longer than that, and its keys carry their certificate's lifetime anyway.
 */
const WATCHDOG = ['/bin/sh', '-c', 'echo "$SSH_AGENT_PID"; exec cat >/dev/null'];

/**
 * Starts a dedicated ssh-agent for one elevated terminal (issue 7, item 6: `SSH_AUTH_SOCK` for the
 * short-lived certificate): its socket lives in a fresh 0700 folder under `parentDir` (itself made
 * 0700 and checked to be ours), so only this user reaches it (ssh-agent also refuses peers of
 * another uid). The agent holds nothing until the caller adds the grant's certificates.
 */
export async function startTerminalSshAgent(
  parentDir: string,
  options: { sshAgent?: string; uid?: number | undefined } = {},
): Promise<TerminalSshAgent> {
  await mkdir(parentDir, { recursive: true, mode: 0o700 });
  await chmod(parentDir, 0o700);
  const problem = await privateDirProblem(parentDir, options.uid);
  if (problem !== undefined)
    throw new StrongroomError(
      'internal',
      `The folder for terminal ssh-agents ${parentDir} is not private: ${problem}.`,
    );
  const dir = await mkdtemp(join(parentDir, 'ssh-'));
  await chmod(dir, 0o700);
  const socketPath = join(dir, 'agent.sock');
  const child = spawn(options.sshAgent ?? 'ssh-agent', ['-a', socketPath, '--', ...WATCHDOG], {
    stdio: ['pipe', 'pipe', 'pipe'],
    // Nothing of this process's environment: the agent needs none, and the watchdog only PATH.
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
  });
  let pid: number;
  try {
    pid = await new Promise<number>((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        const line = /^(\d+)\n/.exec(out);
        if (line !== null) resolve(Number(line[1]));
      });
      child.stderr.on('data', (chunk: string) => {
        err = (err + chunk).slice(-500);
      });
      child.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new StrongroomError(
            'not_supported',
            error.code === 'ENOENT'
              ? 'ssh-agent is not installed (OpenSSH client), so the terminal gets no SSH certificate.'
              : `ssh-agent did not start: ${error.message}`,
          ),
        ),
      );
      child.once('exit', (code) =>
        reject(
          new StrongroomError(
            'internal',
            `ssh-agent exited (${String(code)}) before it served: ${err.trim() || 'no message'}`,
          ),
        ),
      );
    });
  } catch (error) {
    child.kill();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  child.stdout.destroy();
  child.stderr.destroy();
  // The agent must not keep its host alive (the pipe's end does the cleanup when the host goes).
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

  let disposed: Promise<void> | undefined;
  return {
    socketPath,
    pid,
    dispose: () =>
      (disposed ??= (async () => {
        // Only while its socket is there: a pid whose agent already ended may be someone else's now.
        let killed = false;
        if (existsSync(socketPath))
          try {
            process.kill(pid, 'SIGTERM');
            killed = true;
          } catch {
            // already gone
          }
        await rm(dir, { recursive: true, force: true });
        // Its keys are gone once it has exited: wait for that (bounded: a stuck agent is logged by
        // nobody, but its socket is gone and its keys carry their certificate's lifetime).
        for (let waited = 0; killed && !processEnded(pid) && waited < EXIT_WAIT_MS; waited += 20)
          await new Promise((resolve) => setTimeout(resolve, 20));
        child.stdin.end();
        child.kill('SIGTERM');
        await exited;
      })()),
  };
}
