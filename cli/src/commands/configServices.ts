import { homedir } from 'node:os';
import { configPath } from '@strongroom/shared/config/configPath.js';
import { GIT_HOST, KUBE_CLUSTER } from '@strongroom/shared/config/parseServiceMap.js';
import { readStrongroomConfig } from '@strongroom/shared/config/readStrongroomConfig.js';
import { resolveProfile } from '@strongroom/shared/config/resolveProfile.js';
import { writeStrongroomConfig } from '@strongroom/shared/config/writeStrongroomConfig.js';
import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import type { GlobalOptions } from '../cliContext.js';
import { EXIT } from '../exitCodes.js';

/**
 * `strongroom config git-host <host> <service>` and `config kube-cluster <name> <service>`: which
 * service's token the git credential helper hands a git host, and kube-credential a cluster. The
 * config holds names only, never tokens. `--remove` deletes the mapping.
 */
export async function configServiceMap(
  global: GlobalOptions,
  which: 'git' | 'kube',
  name: string,
  service: string | undefined,
  options: { remove?: boolean },
): Promise<number> {
  const key = which === 'git' ? name.toLowerCase() : name;
  if (!(which === 'git' ? GIT_HOST : KUBE_CLUSTER).test(key))
    throw new StrongroomError(
      'usage',
      `"${name}" is not a valid ${which === 'git' ? 'git host (host or host:port)' : 'cluster name'}.`,
    );
  if (options.remove !== true && (service === undefined || service === ''))
    throw new StrongroomError('usage', 'Name the service (its catalog id or audience), or pass --remove.');
  const file = configPath(process.env, homedir());
  const config = await readStrongroomConfig(file);
  const profile = resolveProfile(config, global.profile ?? process.env['STRONGROOM_PROFILE']);
  const { name: profileName, ...stored } = profile;
  const map: Record<string, string> = Object.fromEntries(
    Object.entries(stored[which] ?? {}).filter(([k]) => k !== key),
  );
  if (options.remove !== true) map[key] = service as string;
  const { [which]: _old, ...rest } = stored;
  void _old;
  const next = { ...rest, ...(Object.keys(map).length > 0 ? { [which]: map } : {}) };
  await writeStrongroomConfig(file, { ...config, profiles: { ...config.profiles, [profileName]: next } });
  process.stdout.write(
    options.remove === true
      ? `Profile "${profileName}": ${which} ${key} removed.\n`
      : `Profile "${profileName}": ${which} ${key} uses tokens for ${service as string}.\n`,
  );
  return EXIT.ok;
}
