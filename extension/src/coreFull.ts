import { existsSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { AccessPort } from '@strongroom/shared/access/AccessPort.js';
import {
  createAccessSession,
  createAgentAccess,
  socketSessionParts as sessionPartsOf,
  type AgentAccessOptions,
} from '@strongroom/shared/access/createAgentAccess.js';
import type { SessionParts } from '@strongroom/shared/access/createSocketAccess.js';
import type { AgentInvoke } from '@strongroom/shared/access/elevatedTerminal.js';
import { existingKubeconfig } from '@strongroom/shared/access/terminalKubeconfig.js';
import type { ResolvedProfile } from '@strongroom/shared/config/resolveProfile.js';
import { createNodePostureHost } from '@strongroom/shared/posture/nodeHost.js';
import { createKeychainCredentialStore } from '@strongroom/shared/vault/createKeychainCredentialStore.js';
import type { CoreOptions } from './core.js';
import type { Settings } from './settings.js';

/**
 * The rest of the client core (dist/coreFull.js, see core.ts): loaded on the first command, the
 * first call that needs this window's session, or at once when the agent runs in this window.
 */

/**
 * A command that loads its module on its first run: `load` is a literal `import()` (esbuild keeps an
 * import() of a bundled module as a lazy initializer, so the module is evaluated then, not with this
 * bundle).
 */
function onFirstRun<M, K extends keyof M>(
  load: () => Promise<M>,
  name: K,
): (...args: M[K] extends (...a: infer A) => unknown ? A : never) => Promise<void> {
  return async (...args) => {
    const run = (await load())[name] as (...a: typeof args) => Promise<void>;
    await run(...args);
  };
}

const signInModule = () => import('./commands/signIn.js');
const grantModule = () => import('./commands/grantCommands.js');

/**
 * The commands' implementations, run by the stubs that activate() registers. Each command's module
 * (its quick picks, forms and wire schemas) is evaluated on its first run, not while the agent in
 * this window starts.
 */
export const commands = {
  signIn: onFirstRun(signInModule, 'signIn'),
  signOut: onFirstRun(signInModule, 'signOut'),
  requestAccess: onFirstRun(() => import('./commands/requestAccess.js'), 'requestAccess'),
  showAccess: onFirstRun(grantModule, 'showAccess'),
  activateGrant: onFirstRun(grantModule, 'activateGrant'),
  dropElevation: onFirstRun(grantModule, 'dropElevation'),
  reviewRequests: onFirstRun(() => import('./commands/reviewRequests.js'), 'reviewRequests'),
  checkPosture: onFirstRun(() => import('./commands/checkPosture.js'), 'checkPosture'),
  openElevatedTerminal: onFirstRun(grantModule, 'openElevatedTerminal'),
};

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

function agentOptions(options: CoreOptions, profile: ResolvedProfile): AgentAccessOptions {
  const cli = strongroomCli(options.settings, options.env);
  // Per-terminal files and ssh-agent folders, private to this user, gone with the terminal.
  const terminalDir = join(
    options.env['XDG_RUNTIME_DIR'] ?? tmpdir(),
    `strongroom-vscode-${process.getuid?.() ?? 'user'}`,
  );
  return {
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
  };
}

/** The agent in this window (no tray agent for this profile, or `strongroom.agent: inProcess`). */
export function createInProcessAccess(options: CoreOptions, profile: ResolvedProfile): Promise<AccessPort> {
  // core.ts has already looked for the tray's agent: do not connect twice.
  return createAgentAccess({ ...agentOptions(options, profile), mode: 'inProcess' });
}

/** With the tray's agent: this window's session over the same keychain vault. */
export function socketSessionParts(
  options: CoreOptions,
  profile: ResolvedProfile,
  invoke: AgentInvoke,
): SessionParts {
  const agent = agentOptions(options, profile);
  return sessionPartsOf(createAccessSession(agent), invoke, agent, (m) => options.host.log('info', m));
}
