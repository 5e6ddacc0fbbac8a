import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { STRONGROOM_BIN } from '@strongroom/cli/testing/runStrongroom.js';

export interface BashRun {
  /** The shell's own pid (`$$`). */
  pid: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `script` in a real `bash -c` (not interactive) with `env`, with this checkout's CLI on PATH as
 * `strongroom` (a symlink to its bin, as `npm install -g` makes one), so `eval "$(strongroom env aws
 * …)"` runs as a user types it; resolves once bash has exited. `args` are the script's `$1`…
 */
export async function bashShell(
  script: string,
  env: NodeJS.ProcessEnv,
  args: readonly string[] = [],
): Promise<BashRun> {
  const bin = mkdtempSync(join(tmpdir(), 'strongroom-bin-'));
  symlinkSync(STRONGROOM_BIN, join(bin, 'strongroom'));
  try {
    return await runBash(
      script,
      {
        ...env,
        // `#!/usr/bin/env node` finds this node first.
        PATH: [bin, dirname(process.execPath), env['PATH'] ?? process.env['PATH'] ?? ''].join(':'),
      },
      args,
    );
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

function runBash(script: string, env: NodeJS.ProcessEnv, args: readonly string[]): Promise<BashRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script, 'bash', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ pid: child.pid ?? 0, code, stdout, stderr }));
  });
}

/** Polls an async condition every 250 ms; the test's own timeout bounds it. */
export async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) {
    if (process.env['STRONGROOM_DEBUG']) process.stderr.write(`waiting for ${what}\n`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
