import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Under heavy load gnome-keyring can miss the binding's 2 s reply timeout; that must not surface as
 * "no usable keychain" while the daemon is alive. The test stops the real daemon (SIGSTOP) while a
 * call waits for it and lets it go on (SIGCONT) once the store reports that attempt failed, so the
 * store has to retry. It runs in a child process with its own D-Bus session and keyring: every test
 * file of a run shares one gnome-keyring, and stopping that one would stall the other workers.
 */
const storeModule = new URL('../../dist/vault/createKeychainCredentialStore.js', import.meta.url).href;
const withKeyring = fileURLToPath(new URL('../../../test/scripts/with-keyring.sh', import.meta.url));

const script = `
  import { execFileSync } from 'node:child_process';
  import { createKeychainCredentialStore } from ${JSON.stringify(storeModule)};

  let onRetry = () => {};
  const store = createKeychainCredentialStore({
    platform: process.platform,
    onRetry: (error, attempt) => onRetry(error, attempt),
    searchTimeoutMs: 500,
  });
  // The keyring daemon is whoever owns the Secret Service name on this private bus.
  const reply = execFileSync('dbus-send', ['--session', '--print-reply', '--dest=org.freedesktop.DBus',
    '/org/freedesktop/DBus', 'org.freedesktop.DBus.GetConnectionUnixProcessID',
    'string:org.freedesktop.secrets'], { encoding: 'utf8' });
  const daemon = Number(/uint32 (\\d+)/.exec(reply)[1]);
  let stopped = false;
  const stop = () => { process.kill(daemon, 'SIGSTOP'); stopped = true; };
  const resume = () => { if (stopped) process.kill(daemon, 'SIGCONT'); stopped = false; };
  process.on('exit', resume);

  // One operation made while the daemon is stopped; it goes on after the first failed attempt.
  async function whileStopped(run, resumeAfter = 1) {
    const retries = [];
    onRetry = (error, attempt) => {
      retries.push(error.message);
      if (attempt === resumeAfter) resume();
    };
    stop();
    try {
      return { value: await run(), retries };
    } catch (e) {
      return { code: e.code, retries };
    } finally {
      resume();
      onRetry = () => {};
    }
  }

  const out = {};
  await store.set('slow', 'token', 'tok-1', Date.now() + 60000);
  out.get = await whileStopped(() => store.get('slow', 'token'));
  out.set = await whileStopped(() => store.set('slow', 'token', 'tok-2', Date.now() + 60000));
  out.afterSet = await store.get('slow', 'token');
  out.delete = await whileStopped(() => store.delete('slow', 'token'));
  out.afterDelete = (await store.get('slow', 'token')) ?? null;
  // A search (listing the profile's entries) is bounded too (it used to wait forever): refused
  // after its timeout, not retried; once the daemon answers again, it works.
  const searchStarted = Date.now();
  out.listStopped = await whileStopped(() => store.list('slow'), Infinity);
  out.listStopped.ms = Date.now() - searchStarted;
  out.listAfter = await store.list('slow');
  // A daemon that never comes back within the retries is still refused, not waited on forever.
  out.spent = await whileStopped(() => store.get('slow', 'token'), Infinity);
  console.log(JSON.stringify(out));
`;

interface Attempted {
  value?: unknown;
  code?: string;
  retries: string[];
}

function runInPrivateKeyring(): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    'dbus-run-session',
    ['--', withKeyring, process.execPath, '--input-type=module', '-e', script],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

describe('keychain daemon that answers late', () => {
  it('get, set, delete and a search succeed after a missed reply; a daemon that stays silent is refused', async () => {
    const { status, stdout, stderr } = await runInPrivateKeyring();
    expect(status, stderr).toBe(0);
    const line = stdout.trim().split('\n').at(-1) ?? '';
    const out = JSON.parse(line) as Record<string, Attempted> & {
      afterSet: string;
      afterDelete: string | null;
      listStopped: Attempted & { ms: number };
      listAfter: string[];
    };

    for (const op of ['get', 'set', 'delete'] as const) {
      expect(out[op]?.code, JSON.stringify(out[op])).toBeUndefined();
      expect(out[op]?.retries[0]).toMatch(/Did not receive a reply/);
    }
    expect(out.listStopped?.code).toBe('keychain_unavailable');
    expect(out.listStopped?.retries).toEqual([]);
    expect(out.listStopped?.ms).toBeLessThan(30_000);
    expect(out.listAfter).toEqual([]);
    expect(out.get?.value).toBe('tok-1');
    expect(out.afterSet).toBe('tok-2');
    expect(out.afterDelete).toBeNull();

    // Bounded: four attempts (three retries), then the same refusal as before; a search too.
    for (const op of ['spent'] as const) {
      expect(out[op]?.code, JSON.stringify(out[op])).toBe('keychain_unavailable');
      expect(out[op]?.retries).toHaveLength(3);
      for (const message of out[op]?.retries ?? []) expect(message).toMatch(/Did not receive a reply/);
    }
    // What is retried or reported names the failure, never the secret.
    for (const op of ['get', 'set', 'delete', 'listStopped', 'spent'] as const) {
      expect(JSON.stringify(out[op]?.retries)).not.toContain('tok-');
    }
  }, 120_000);
});
