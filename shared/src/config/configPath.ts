import { join } from 'node:path';

/** `$XDG_CONFIG_HOME/strongroom/config.json`, falling back to `~/.config` (XDG Base Directory). */
export function configPath(env: NodeJS.ProcessEnv, homedir: string): string {
  const base =
    env['XDG_CONFIG_HOME'] !== undefined && env['XDG_CONFIG_HOME'] !== ''
      ? env['XDG_CONFIG_HOME']
      : join(homedir, '.config');
  return join(base, 'strongroom', 'config.json');
}
