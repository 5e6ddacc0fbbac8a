import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface IsolatedCliEnv {
  /** The temporary root holding home and every XDG directory of this environment. */
  readonly root: string;
  readonly env: NodeJS.ProcessEnv;
  remove(): void;
}

/**
 * A private HOME and XDG base directories for one test, so nothing the CLI writes can land in the
 * developer's own home, and so a test can scan exactly what the CLI wrote. D-Bus is inherited:
 * the keychain is the session's gnome-keyring (test/scripts/with-keyring.sh).
 */
export function isolatedCliEnv(extra: NodeJS.ProcessEnv = {}): IsolatedCliEnv {
  const root = mkdtempSync(join(tmpdir(), 'strongroom-cli-'));
  const dirs = {
    HOME: 'home',
    XDG_CONFIG_HOME: 'config',
    XDG_DATA_HOME: 'data',
    XDG_CACHE_HOME: 'cache',
    XDG_STATE_HOME: 'state',
    TMPDIR: 'tmp',
  };
  const inherited: NodeJS.ProcessEnv = { ...process.env };
  delete inherited['STRONGROOM_PROFILE'];
  delete inherited['STRONGROOM_BROWSER'];
  const env: NodeJS.ProcessEnv = { ...inherited, ...extra };
  for (const [name, dir] of Object.entries(dirs)) {
    const path = join(root, dir);
    mkdirSync(path, { recursive: true });
    env[name] = path;
  }
  return { root, env, remove: () => rmSync(root, { recursive: true, force: true }) };
}
