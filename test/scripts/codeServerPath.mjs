// Where test/scripts/install-code-server.sh puts code-server (keep the two in step).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';

export function codeServerDir(env = process.env) {
  return (
    env.STRONGROOM_CODE_SERVER_DIR ??
    join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'strongroom', `code-server-${CODE_SERVER_VERSION}`)
  );
}

export function codeServerEntry(env = process.env) {
  return join(codeServerDir(env), 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

/** The marker is written last by the install script, so a half-done install does not count. */
export function codeServerInstalled(env = process.env) {
  return existsSync(join(codeServerDir(env), '.strongroom-installed')) && existsSync(codeServerEntry(env));
}
