import { homedir, tmpdir } from 'node:os';
import type { AccessPort } from '@strongroom/shared/access/AccessPort.js';
import { findSocketAgent, overSocket } from '@strongroom/shared/access/createSocketAccess.js';
import { configPath } from '@strongroom/shared/config/configPath.js';
import { readStrongroomConfig } from '@strongroom/shared/config/readStrongroomConfig.js';
import { resolveProfile, type ResolvedProfile } from '@strongroom/shared/config/resolveProfile.js';
import { DEFAULT_ACR, DEFAULT_CLIENT_ID } from '@strongroom/shared/config/StrongroomConfig.js';
import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import type { HostContext } from '@strongroom/shared/session/HostContext.js';
import { readSettings, type Settings } from './settings.js';

export { readSettings };

export type CoreModule = typeof import('./core.js');
export type CoreFullModule = typeof import('./coreFull.js');

/**
 * The client core, in two bundles so that the first state is drawn soon after activation:
 * - this one (dist/core.js): settings, the profile and the tray's agent over its socket, with no
 *   session, OIDC, keychain or zod classic code (all the first state needs when the tray runs);
 * - coreFull (dist/coreFull.js): the commands, this window's session (sign-in, targets, approval
 *   link, deny, terminals' SSH certificates), the keychain vault and the in-process agent, loaded on
 *   first use. Whatever holds process-wide state (refresh single-flight, the TPM queue, the keychain
 *   cache) lives in coreFull only; this bundle hands it values (settings, profile, the agent's
 *   methods), never a second copy of a module. StrongroomError is one class in dist/errors.js.
 */
// In the bundle this import() is `bundleLoader.js`'s loadBundle(coreFull.js): compiled with its V8
// code cache (scripts/bundle.mjs, throughCodeCache; src/bundleLoader.ts).
export const loadFull = (): Promise<CoreFullModule> => import('./coreFull.js');

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
 * The access UI's agent: the tray's over its socket when it runs for this profile (issue 7), with
 * this window's session loaded from coreFull on first use; otherwise the agent in this process,
 * from coreFull.
 */
export async function createCoreAccess(options: CoreOptions): Promise<AccessPort> {
  const profile = await resolveExtensionProfile(options.settings, options.env);
  const log = (m: string): void => options.host.log('info', m);
  if (options.settings.agent === 'auto') {
    const agent = await findSocketAgent({
      host: options.host,
      profile,
      env: options.env,
      uid: process.getuid?.(),
      tmpdir: tmpdir(),
    });
    if (agent !== undefined)
      return overSocket(
        agent,
        async (invoke) => (await loadFull()).socketSessionParts(options, profile, invoke),
        log,
      );
  }
  return (await loadFull()).createInProcessAccess(options, profile);
}
