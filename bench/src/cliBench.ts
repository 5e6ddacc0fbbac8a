import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { isolatedCliEnv } from '@strongroom/cli/testing/isolatedCliEnv.js';
import { runStrongroom, STRONGROOM_BIN } from '@strongroom/cli/testing/runStrongroom.js';
import { createKeychainCredentialStore } from '@strongroom/shared/vault/createKeychainCredentialStore.js';
import { storeSyntheticSession } from './storeSyntheticSession.js';

/**
 * `strongroom status --json` (cached session) and `strongroom token` (fresh cached token): process
 * start to exit, median over runs, against `node -e 0` measured in the same run, alternating so
 * machine load affects all alike. Goal (issue 3): at most 2.5x a bare Node start.
 *
 *   node bench/dist/cliBench.js [--runs 15]
 *
 * Needs the OS keychain: outside a D-Bus session it re-runs itself under dbus-run-session with a
 * private, unlocked gnome-keyring (test/scripts/with-keyring.sh). The session is synthetic (written
 * straight to the keychain) because the benchmark measures the CLI, not the broker.
 */
const self = fileURLToPath(import.meta.url);
const withKeyring = fileURLToPath(new URL('../../test/scripts/with-keyring.sh', import.meta.url));

function timeChild(args: readonly string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const child = spawnSync(process.execPath, [...args], { env, stdio: 'ignore' });
  const ms = performance.now() - started;
  if (child.status !== 0) throw new Error(`${args.join(' ')} exited with ${String(child.status)}`);
  return ms;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

async function bench(runs: number): Promise<void> {
  const isolated = isolatedCliEnv({ STRONGROOM_PROFILE: `bench-${randomBytes(4).toString('hex')}` });
  const profile = isolated.env['STRONGROOM_PROFILE'] ?? '';
  const store = createKeychainCredentialStore({ platform: process.platform });
  try {
    const set = await runStrongroom(['config', 'set-broker', 'http://localhost:7700'], isolated.env);
    if (set.code !== 0) throw new Error(set.stderr);
    await storeSyntheticSession(store, profile);
    const commands = {
      'node -e 0': ['-e', '0'],
      'strongroom status --json': [STRONGROOM_BIN, 'status', '--json'],
      'strongroom token': [STRONGROOM_BIN, 'token'],
    } as const;
    const times: Record<string, number[]> = {};
    for (const args of Object.values(commands)) timeChild(args, isolated.env); // warm the file cache
    for (let run = 0; run < runs; run += 1) {
      for (const [name, args] of Object.entries(commands))
        (times[name] ??= []).push(timeChild(args, isolated.env));
    }
    const base = median(times['node -e 0'] ?? []);
    console.log(
      `strongroom CLI start-to-exit (${String(runs)} runs, median, cached session in gnome-keyring)`,
    );
    console.log(`  node -e 0 baseline          ${base.toFixed(0)} ms`);
    for (const name of ['strongroom status --json', 'strongroom token']) {
      const m = median(times[name] ?? []);
      const ratio = m / base;
      console.log(
        `  ${name.padEnd(27)} ${m.toFixed(0)} ms  (${ratio.toFixed(2)}x baseline; goal <= 2.5x ${ratio <= 2.5 ? 'met' : 'NOT met'})`,
      );
    }
  } finally {
    await store.clearProfile(profile);
    isolated.remove();
  }
}

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15;
if (!Number.isInteger(runs) || runs < 1 || runs > 1000)
  throw new Error('--runs takes a whole number from 1 to 1000');
if (process.env['DBUS_SESSION_BUS_ADDRESS'] === undefined) {
  const child = spawnSync(
    'dbus-run-session',
    ['--', withKeyring, process.execPath, self, '--runs', String(runs)],
    { stdio: 'inherit' },
  );
  process.exitCode = child.status ?? 1;
} else {
  await bench(runs);
}
