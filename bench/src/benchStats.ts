import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** Median of the values (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** The p-th percentile (0..100, nearest rank) of the values. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

/** Runs `node <args>` to completion; milliseconds from spawn to exit. Throws unless it exits 0. */
export function timeNodeProcess(args: readonly string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const child = spawnSync(process.execPath, [...args], { env, stdio: 'ignore' });
  const ms = performance.now() - started;
  if (child.status !== 0) throw new Error(`${args.join(' ')} exited with ${String(child.status)}`);
  return ms;
}

/** `--name <whole number>` from the command line (1..100,000), or the fallback. */
export function intArg(name: string, fallback: number, argv: readonly string[] = process.argv): number {
  const i = argv.indexOf(name);
  const value = i > 0 ? Number(argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1 || value > 100_000)
    throw new Error(`${name} takes a whole number from 1 to 100000`);
  return value;
}
