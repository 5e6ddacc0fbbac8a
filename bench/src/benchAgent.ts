import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { isolatedCliEnv } from '@strongroom/cli/testing/isolatedCliEnv.js';
import { runStrongroom, STRONGROOM_BIN } from '@strongroom/cli/testing/runStrongroom.js';
import { deviceKeyNamespace } from '@strongroom/shared/device/loadSoftwareDeviceKey.js';
import type { CredentialStore } from '@strongroom/shared/vault/CredentialStore.js';
import { createKeychainCredentialStore } from '@strongroom/shared/vault/createKeychainCredentialStore.js';
import { standInBroker } from './standInBroker.js';
import { storeSyntheticSession } from './storeSyntheticSession.js';

export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * A fresh CLI profile (its own config dir and XDG_RUNTIME_DIR) pointed at a broker stand-in and
 * signed in with a synthetic session in the keychain. `close()` clears the keychain entries, stops
 * the stand-in and removes the directories.
 */
export async function signedInBenchProfile(prefix: string, grantId?: string) {
  const broker = await standInBroker(grantId);
  const isolated = isolatedCliEnv({ STRONGROOM_PROFILE: `${prefix}-${randomBytes(4).toString('hex')}` });
  const env = isolated.env;
  env['XDG_RUNTIME_DIR'] = join(isolated.root, 'run');
  mkdirSync(env['XDG_RUNTIME_DIR'], { mode: 0o700 });
  const profile = env['STRONGROOM_PROFILE'] ?? '';
  const store: CredentialStore = createKeychainCredentialStore({ platform: process.platform });
  const close = async (): Promise<void> => {
    await store.clearProfile(profile);
    await store.clearProfile(deviceKeyNamespace(profile));
    broker.server.closeAllConnections();
    broker.server.close();
    isolated.remove();
  };
  try {
    const set = await runStrongroom(['config', 'set-broker', broker.issuer], env);
    if (set.code !== 0) throw new Error(set.stderr);
    await storeSyntheticSession(store, profile);
  } catch (error) {
    await close();
    throw error;
  }
  return { env, root: isolated.root, profile, store, close };
}

/** `strongroom agent` as its own process, once it says it is ready on its socket. */
export async function startStrongroomAgent(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const agent = spawn(process.execPath, [STRONGROOM_BIN, 'agent'], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  agent.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  while (!/ready on /.test(stderr)) {
    if (agent.exitCode !== null) throw new Error(`agent exited: ${stderr}`);
    await sleep(50);
  }
  return agent;
}

/**
 * Runs the bench under gnome-keyring: without a session bus, re-executes the calling script
 * (`moduleUrl`, its import.meta.url) in dbus-run-session + test/scripts/with-keyring.sh.
 */
export async function underKeyring(moduleUrl: string, bench: () => Promise<void>): Promise<void> {
  if (process.env['DBUS_SESSION_BUS_ADDRESS'] !== undefined) return bench();
  const withKeyring = fileURLToPath(new URL('../../test/scripts/with-keyring.sh', import.meta.url));
  const child = spawnSync(
    'dbus-run-session',
    ['--', withKeyring, process.execPath, fileURLToPath(moduleUrl), ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  process.exitCode = child.status ?? 1;
}
