import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { explicitHolder, processHolderDeps, tokenHolder } from './envAwsHolder.js';

vi.setConfig({ testTimeout: 120_000 });

// The built module (npx tsc -b), run by a real node under a real bash, as `strongroom env aws` is.
const BUILT = fileURLToPath(new URL('../../dist/commands/envAwsHolder.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sr-holder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PRINT = `const m = await import(${JSON.stringify(BUILT)}); const h = m.tokenHolder(m.processHolderDeps()); console.log('export HOLDER=' + h.pid + ' START=' + (h.start ?? ''));`;
const node = `${JSON.stringify(process.execPath)} --input-type=module -e ${JSON.stringify(PRINT).replace(/\$/g, '\\$')}`;

/** Runs `script` in bash; it prints `$$` and what it learned, one per line. */
async function bash(script: string): Promise<{ shell: number; holder: number; start: string }> {
  const { stdout } = await promisify(execFile)('bash', ['-c', script], { cwd: dir });
  const [shell, holder, start] = stdout.trim().split('\n');
  return { shell: Number(shell), holder: Number(holder), start: start ?? '' };
}

describe.runIf(process.platform === 'linux')('the token holder of `strongroom env aws` (real bash)', () => {
  it('eval "$(…)": the shell that evals, whether bash execs us directly or keeps a subshell', async () => {
    for (const substitution of [node, `${node}; true`, `true; ${node}; true`]) {
      const got = await bash(`echo $$; eval "$(${substitution})"; echo "$HOLDER"; echo "$START"`);
      expect(got.holder, substitution).toBe(got.shell);
      expect(got.start).toMatch(/^\d+$/);
    }
  });

  it('through a wrapper that shares our stdout (sh -c, as npx runs a bin): still the evaluating shell', async () => {
    const got = await bash(
      `echo $$; eval "$(sh -c '${node.replace(/'/g, `'\\''`)}; true')"; echo "$HOLDER"; echo "$START"`,
    );
    expect(got.holder).toBe(got.shell);
  });

  it('written to a file and sourced: the shell that ran it (our parent)', async () => {
    const got = await bash(`echo $$; ${node} > env.sh; . ./env.sh; echo "$HOLDER"; echo "$START"`);
    expect(got.holder).toBe(got.shell);
  });

  it('--pid: that process with its start time; no /proc: the parent as it is', () => {
    const own = explicitHolder(processHolderDeps(), process.pid);
    expect(own.pid).toBe(process.pid);
    expect(own.start).toMatch(/^\d+$/);
    expect(
      tokenHolder({ ...processHolderDeps(), platform: 'darwin', ppid: 4242, readlink: () => 'pipe:[1]' }),
    ).toEqual({ pid: 4242 });
    expect(readFileSync(`/proc/${String(process.pid)}/stat`, 'utf8')).toContain(`${String(process.pid)} (`);
  });
});
