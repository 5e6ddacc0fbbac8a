import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The vault must refuse, with a message that says how to fix it, when the keychain is missing or
 * locked, and must never fall back to a file. Each case runs in a child process so it can have no
 * D-Bus session at all, or its own private keyring that it locks, without disturbing other tests.
 */
const storeModule = new URL('../../dist/vault/createKeychainCredentialStore.js', import.meta.url).href;
const withKeyring = fileURLToPath(new URL('../../../test/scripts/with-keyring.sh', import.meta.url));

const attempt = (prelude: string): string => `
  import { execFileSync } from 'node:child_process';
  import { createKeychainCredentialStore } from ${JSON.stringify(storeModule)};
  let retries = 0;
  const store = createKeychainCredentialStore({ platform: process.platform, onRetry: () => retries++ });
  ${prelude}
  const out = {};
  for (const [op, run] of [
    ['set', () => store.set('refusal', 'access_token', 'tok-SHOULD-NOT-PERSIST', Date.now() + 60000)],
    ['get', () => store.get('refusal', 'access_token')],
  ]) {
    try { await run(); out[op] = { ok: true }; }
    catch (e) { out[op] = { code: e.code, message: e.message, hint: e.hint }; }
  }
  out.retries = retries;
  console.log(JSON.stringify(out));
`;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Record<string, { code?: string; message?: string; hint?: string }> & { retries?: number } {
  const result = spawnSync(command, args, { env, encoding: 'utf8', timeout: 60_000 });
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  expect(line, result.stderr).toMatch(/^\{/);
  return JSON.parse(line) as Record<string, { code?: string; message?: string; hint?: string }> & {
    retries?: number;
  };
}

describe('keychain refusal', () => {
  it('without a D-Bus session it refuses with how to start a keyring, and writes no file', () => {
    const home = mkdtempSync(join(tmpdir(), 'strongroom-nodbus-'));
    try {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        HOME: home,
        XDG_DATA_HOME: join(home, 'data'),
        XDG_CONFIG_HOME: join(home, 'config'),
      };
      delete env.DBUS_SESSION_BUS_ADDRESS;
      const out = run(process.execPath, ['--input-type=module', '-e', attempt('')], env);
      for (const op of ['set', 'get'] as const) {
        expect(out[op]?.code).toBe('keychain_unavailable');
        expect(out[op]?.hint).toContain('gnome-keyring-daemon --unlock --components=secrets');
        expect(out[op]?.hint).toContain('dbus-run-session');
      }
      // Refused on the first attempt: a missing keychain is not waited for.
      expect(out.retries).toBe(0);
      // Nothing fell back to disk.
      const leaked = filesUnder(home).filter((f) =>
        readFileSync(f, 'utf8').includes('tok-SHOULD-NOT-PERSIST'),
      );
      expect(leaked).toEqual([]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('with the keyring locked it refuses with how to unlock it', () => {
    // A private D-Bus session and keyring holding a token, then locked through the Secret Service API.
    const lock = `await store.set('refusal', 'access_token', 'tok-before-lock', Date.now() + 60000);
      execFileSync('dbus-send', ['--session', '--print-reply', '--dest=org.freedesktop.secrets',
      '/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.Lock',
      'array:objpath:/org/freedesktop/secrets/collection/login']);`;
    const out = run(
      'dbus-run-session',
      ['--', withKeyring, process.execPath, '--input-type=module', '-e', attempt(lock)],
      process.env,
    );
    for (const op of ['set', 'get'] as const) {
      expect(out[op]?.code).toBe('keychain_locked');
      expect(out[op]?.message).toMatch(/locked/);
      expect(out[op]?.hint).toContain('--unlock');
      expect(JSON.stringify(out[op])).not.toContain('tok-SHOULD-NOT-PERSIST');
    }
    expect(out.retries).toBe(0);
  });
});
