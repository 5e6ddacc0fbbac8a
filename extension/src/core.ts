import { existsSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createAgentAccess } from '@strongroom/shared/access/createAgentAccess.js';
import { existingKubeconfig } from '@strongroom/shared/access/terminalKubeconfig.js';
import type { AccessPort } from '@strongroom/shared/access/AccessPort.js';
import { configPath } from '@strongroom/shared/config/configPath.js';
import { readStrongroomConfig } from '@strongroom/shared/config/readStrongroomConfig.js';
import { resolveProfile, type ResolvedProfile } from '@strongroom/shared/config/resolveProfile.js';
import { DEFAULT_ACR, DEFAULT_CLIENT_ID } from '@strongroom/shared/config/StrongroomConfig.js';
import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import { createNodePostureHost } from '@strongroom/shared/posture/nodeHost.js';
import type { HostContext } from '@strongroom/shared/session/HostContext.js';
import { createKeychainCredentialStore } from '@strongroom/shared/vault/createKeychainCredentialStore.js';
import { checkPosture } from './commands/checkPosture.js';
import { activateGrant, dropElevation, openElevatedTerminal, showAccess } from './commands/grantCommands.js';
import { requestAccess } from './commands/requestAccess.js';
import { reviewRequests } from './commands/reviewRequests.js';
import { signIn, signOut } from './commands/signIn.js';
import { readSettings, type Settings } from './settings.js';

export { readSettings };

/** The commands' implementations, run by the stubs that activate() registers. */
export const commands = {
  signIn,
  signOut,
  requestAccess,
  showAccess,
  activateGrant,
  dropElevation,
  reviewRequests,
  checkPosture,
  openElevatedTerminal,
};

export type CoreModule = typeof import('./core.js');

/**
 * The client core, in its own bundle (dist/core.js) so activation does not pay for OIDC, DPoP,
 * the keychain binding and the posture checks; loaded on first use.
 */
export interface CoreOptions {
  readonly settings: Settings;
  readonly host: HostContext;
  readonly env: NodeJS.ProcessEnv;
  readonly agentVersion: string;
}

/** The profile: the settings' broker wins over the config file (same file as the CLI's). */
export async function resolveExtensionProfile(
  settings: Settings,
  env: NodeJS.ProcessEnv,
): Promise<ResolvedProfile> {
  const config = await readStrongroomConfig(configPath(env, homedir()));
  const name =
    settings.profile !== '' ? settings.profile : (env['STRONGROOM_PROFILE'] ?? config.currentProfile);
  if (settings.brokerUrl === '') return resolveProfile(config, name);
  const known = config.profiles[name];
  // The vault is namespaced by profile: one profile name must never send its tokens to two brokers.
  if (known !== undefined && known.broker !== settings.brokerUrl)
    throw new StrongroomError(
      'config_invalid',
      `strongroom.brokerUrl (${settings.brokerUrl}) differs from the broker of profile "${name}" (${known.broker}).`,
      {
        hint: 'Set strongroom.profile to a profile of its own for that broker, or clear strongroom.brokerUrl.',
      },
    );
  return Object.freeze({
    name,
    broker: settings.brokerUrl,
    clientId: known?.clientId ?? DEFAULT_CLIENT_ID,
    acr: known?.acr ?? DEFAULT_ACR,
  });
}

/**
 * The CLI that git and kubectl in an elevated terminal call: the setting's absolute path, else
 * `strongroom` when it is on PATH; undefined (no git/kube pointers) when there is none.
 */
function strongroomCli(settings: Settings, env: NodeJS.ProcessEnv): string | undefined {
  if (settings.cliPath !== '') return existsSync(settings.cliPath) ? settings.cliPath : undefined;
  const onPath = (env['PATH'] ?? '')
    .split(delimiter)
    .some((dir) => dir !== '' && existsSync(join(dir, 'strongroom')));
  return onPath ? 'strongroom' : undefined;
}

/** git runs `!<command>` through the shell: quote a path that needs it. */
function shellQuote(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`;
}

export async function createCoreAccess(options: CoreOptions): Promise<AccessPort> {
  const profile = await resolveExtensionProfile(options.settings, options.env);
  const cli = strongroomCli(options.settings, options.env);
  // Per-terminal files and ssh-agent folders, private to this user, gone with the terminal.
  const terminalDir = join(
    options.env['XDG_RUNTIME_DIR'] ?? tmpdir(),
    `strongroom-vscode-${process.getuid?.() ?? 'user'}`,
  );
  return createAgentAccess({
    host: options.host,
    profile,
    vault: createKeychainCredentialStore({ platform: options.host.platform }),
    postureHost: createNodePostureHost,
    version: options.agentVersion,
    mode: options.settings.agent,
    env: options.env,
    uid: process.getuid?.(),
    tmpdir: tmpdir(),
    terminal: {
      gitCredentialHelper: cli !== undefined ? `!${shellQuote(cli)} git-credential` : undefined,
      // A terminal's own ssh-agent with the grant's certificates, for the host groups the broker
      // says the grant covers (OpenSSH's ssh-agent; not on Windows, whose ssh-agent is a system
      // service). Without one, SSH_AUTH_SOCK is left alone.
      ssh: options.host.platform === 'win32' ? undefined : { dir: terminalDir, uid: process.getuid?.() },
      kube:
        cli !== undefined
          ? {
              command: cli,
              clusters: Object.keys(profile.kube ?? {}),
              dir: terminalDir,
              existing: existingKubeconfig(options.env, homedir()),
            }
          : undefined,
    },
  });
}
