import { homedir } from 'node:os';
import { configPath } from '@strongroom/shared/config/configPath.js';
import { readStrongroomConfig } from '@strongroom/shared/config/readStrongroomConfig.js';
import { resolveProfile, type ResolvedProfile } from '@strongroom/shared/config/resolveProfile.js';
import type { HostContext } from '@strongroom/shared/session/HostContext.js';
import type { CredentialStore } from '@strongroom/shared/vault/CredentialStore.js';
import { createKeychainCredentialStore } from '@strongroom/shared/vault/createKeychainCredentialStore.js';

export interface GlobalOptions {
  profile?: string | undefined;
}

export interface CliContext {
  readonly host: HostContext;
  readonly profile: ResolvedProfile;
  readonly store: CredentialStore;
  readonly configFile: string;
}

/** The host side of the CLI: a terminal that logs to stderr, and the OS keychain as the vault. */
export async function cliContext(
  global: GlobalOptions,
  openBrowser: (url: string) => Promise<void>,
): Promise<CliContext> {
  const configFile = configPath(process.env, homedir());
  const config = await readStrongroomConfig(configFile);
  const profile = resolveProfile(config, global.profile ?? process.env['STRONGROOM_PROFILE']);
  const debug = process.env['STRONGROOM_DEBUG'] !== undefined;
  const host: HostContext = {
    platform: process.platform,
    openBrowser,
    now: Date.now,
    log: (level, message) => {
      if (debug || level === 'warn' || level === 'error') process.stderr.write(`strongroom: ${message}\n`);
    },
    // The CLI has no background work: whatever shared/ notifies about also ends the command, and
    // reportError prints it once at the boundary. Shown here only when debugging.
    notify: (message) => {
      if (debug) process.stderr.write(`strongroom: (notice) ${message}\n`);
    },
  };
  return { host, profile, store: createKeychainCredentialStore({ platform: process.platform }), configFile };
}

/** For commands that never open a browser. */
export const noBrowser = (): Promise<void> => Promise.resolve();
