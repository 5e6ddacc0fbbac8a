import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createNodePostureHost } from '@strongroom/shared/posture/nodeHost.js';
import { runPostureChecks } from '@strongroom/shared/posture/runPostureChecks.js';

/**
 * Full posture run on Linux in a fresh process, from process start to the finished report: what
 * `strongroom posture` and the tray's posture loop pay each time. Reported against `node -e 0` (a bare
 * Node start) measured in the same run, alternating, so machine load affects both alike.
 *
 *   node bench/dist/postureBench.js [--runs 15]
 *
 * Goal (issue 4): median under 1.5 s. Signing the report (device key, JWS) is not part of this yet.
 */

// The endpoint check is given a process to find (node: the run itself) so that it really walks /proc, as a configured
// organisation's would; with no list it would answer unknown without reading anything.
const benchOptions = { endpointProcesses: { linux: ['node'], darwin: [], win32: [] } };

async function runOnce(): Promise<void> {
  const report = await runPostureChecks(createNodePostureHost(), benchOptions);
  process.stdout.write(
    `${JSON.stringify({ checks: report.checks.map((check) => `${check.id}:${check.status}`) })}\n`,
  );
}

function timeChild(args: readonly string[]): { ms: number; stdout: string } {
  const started = performance.now();
  const child = spawnSync(process.execPath, [...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ms = performance.now() - started;
  if (child.status !== 0) throw new Error(`${args.join(' ')} exited with ${String(child.status)}`);
  return { ms, stdout: child.stdout };
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

function bench(runs: number): void {
  const self = fileURLToPath(import.meta.url);
  const baseline: number[] = [];
  const posture: number[] = [];
  // One warm-up of each so the first run does not pay for a cold file cache.
  timeChild(['-e', '0']);
  const first = timeChild([self, '--once']);
  for (let run = 0; run < runs; run += 1) {
    baseline.push(timeChild(['-e', '0']).ms);
    posture.push(timeChild([self, '--once']).ms);
  }
  const base = median(baseline);
  const full = median(posture);
  const goalMs = 1500;
  console.log(`posture (linux, fresh process, ${String(runs)} runs, median)`);
  console.log(`  node -e 0 baseline      ${base.toFixed(0)} ms`);
  console.log(
    `  full posture run        ${full.toFixed(0)} ms  (${(full / base).toFixed(2)}x baseline, +${(full - base).toFixed(0)} ms)`,
  );
  console.log(`  goal < ${String(goalMs)} ms            ${full < goalMs ? 'met' : 'NOT met'}`);
  console.log(`  last report             ${first.stdout.trim()}`);
}

if (process.argv.includes('--once')) {
  await runOnce();
} else {
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15;
  if (!Number.isInteger(runs) || runs < 1 || runs > 1000)
    throw new Error('--runs takes a whole number from 1 to 1000');
  bench(runs);
}
