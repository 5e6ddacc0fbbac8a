import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findSecretsInFiles } from '@strongroom/cli/testing/findSecretsInFiles.js';
import { isolatedCliEnv, type IsolatedCliEnv } from '@strongroom/cli/testing/isolatedCliEnv.js';
import { runStrongroom, STRONGROOM_BIN } from '@strongroom/cli/testing/runStrongroom.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

/**
 * The CLI's refusals that need no broker: a TLS error (a local https server with a self-signed
 * certificate), a locked keychain and a missing D-Bus session (each in its own child session so
 * the shared test keyring is untouched), and usage errors. Each: clear message, exit code, nothing
 * stored.
 */
const withKeyring = fileURLToPath(new URL('../scripts/with-keyring.sh', import.meta.url));
const envs: IsolatedCliEnv[] = [];
const cliEnv = (): IsolatedCliEnv => {
  const e = isolatedCliEnv({ STRONGROOM_PROFILE: `fail-${randomBytes(4).toString('hex')}` });
  envs.push(e);
  return e;
};
afterEach(() => {
  for (const e of envs.splice(0)) e.remove();
});

describe('strongroom CLI failures', () => {
  let tls: Server;
  let tlsUrl = '';
  let tlsDir: IsolatedCliEnv;

  beforeAll(async () => {
    tlsDir = isolatedCliEnv();
    const key = join(tlsDir.root, 'tmp', 'key.pem');
    const cert = join(tlsDir.root, 'tmp', 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    tls = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    tlsUrl = `https://localhost:${(tls.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    tls?.close();
    tlsDir?.remove();
  });

  it('a broker whose TLS certificate is not trusted is exit 5, says so, and stores nothing', async () => {
    const { env, root } = cliEnv();
    expect((await runStrongroom(['config', 'set-broker', tlsUrl], env)).code).toBe(0);
    const login = await runStrongroom(['login', '--no-browser'], env);
    expect(login.code).toBe(5);
    expect(login.stderr).toMatch(
      /TLS connection to https:\/\/localhost:\d+ failed \(DEPTH_ZERO_SELF_SIGNED_CERT\)/,
    );
    expect(login.stderr).toMatch(/NODE_EXTRA_CA_CERTS/);
    expect(login.stderr).not.toMatch(/Open this URL/);
    const status = await runStrongroom(['status', '--json'], env);
    expect(status.code).toBe(3);
    expect(findSecretsInFiles([root], { marker: 'refresh_token' })).toEqual([]);
  });

  it('plain http to a non-loopback broker is refused as a usage error (exit 2)', async () => {
    const { env } = cliEnv();
    const set = await runStrongroom(['config', 'set-broker', 'http://broker.example.com'], env);
    expect(set.code).toBe(2);
    expect(set.stderr).toMatch(/must use https/);
    expect((await runStrongroom(['config', 'show', '--json'], env)).stdout).not.toContain(
      'broker.example.com',
    );
  });

  it('usage errors are exit 2 with a pointer to help', async () => {
    const { env } = cliEnv();
    const run = await runStrongroom(['frobnicate'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown command/);
    expect(run.stderr).toMatch(/strongroom --help/);
    const badProfile = await runStrongroom(['--profile', 'nope', 'status'], env);
    expect(badProfile.code).toBe(2);
    expect(badProfile.stderr).toMatch(/no profile "nope"/);
  });

  it('a hand-edited config with unknown fields is refused with every problem named (exit 2)', async () => {
    const { env } = cliEnv();
    expect((await runStrongroom(['config', 'set-broker', 'https://broker.example.com'], env)).code).toBe(0);
    const file = JSON.parse((await runStrongroom(['config', 'show', '--json'], env)).stdout) as {
      file: string;
    };
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      file.file,
      JSON.stringify({
        currentProfile: 'default',
        profiles: { default: { broker: 'http://evil.example', clientId: 'x', acr: 'y', password: 'z' } },
      }),
    );
    const status = await runStrongroom(['status'], env);
    expect(status.code).toBe(2);
    expect(status.stderr).toMatch(/must use https/);
    expect(status.stderr).toMatch(/unknown field "password"/);
  });

  it('without a D-Bus session the CLI refuses to store anything and says how to start a keyring', async () => {
    const { env, root } = cliEnv();
    expect((await runStrongroom(['config', 'set-broker', 'https://broker.example.com'], env)).code).toBe(0);
    delete env['DBUS_SESSION_BUS_ADDRESS'];
    const status = await runStrongroom(['status'], env);
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/No usable OS keychain was found/);
    expect(status.stderr).toMatch(/dbus-run-session/);
    expect(status.stderr).toMatch(/gnome-keyring-daemon --unlock --components=secrets/);
    expect(findSecretsInFiles([root], { key: '"d":' })).toEqual([]); // no private JWK fell back to disk
  });

  it('with the keyring locked, status and token refuse with how to unlock it, and nothing leaks', async () => {
    const { env, root } = cliEnv();
    expect((await runStrongroom(['config', 'set-broker', 'https://broker.example.com'], env)).code).toBe(0);
    const profile = env['STRONGROOM_PROFILE'] ?? '';
    // In a private D-Bus session: store a session entry, lock the keyring, then run the CLI.
    const script = `
      import { spawnSync, execFileSync } from 'node:child_process';
      import { createKeychainCredentialStore } from ${JSON.stringify(new URL('../../shared/dist/vault/createKeychainCredentialStore.js', import.meta.url).href)};
      const store = createKeychainCredentialStore({ platform: process.platform });
      await store.set(${JSON.stringify(profile)}, 'session', 'x', Date.now() + 60000);
      execFileSync('dbus-send', ['--session', '--print-reply', '--dest=org.freedesktop.secrets', '/org/freedesktop/secrets',
        'org.freedesktop.Secret.Service.Lock', 'array:objpath:/org/freedesktop/secrets/collection/login']);
      const out = {};
      for (const cmd of ['status', 'token']) {
        const r = spawnSync(process.execPath, [${JSON.stringify(STRONGROOM_BIN)}, cmd], { encoding: 'utf8' });
        out[cmd] = { code: r.status, stdout: r.stdout, stderr: r.stderr };
      }
      console.log(JSON.stringify(out));
    `;
    const result = spawnSync(
      'dbus-run-session',
      ['--', withKeyring, process.execPath, '--input-type=module', '-e', script],
      { env, encoding: 'utf8', timeout: 60_000 },
    );
    const line = result.stdout.trim().split('\n').at(-1) ?? '';
    expect(line, `${result.stdout}\n${result.stderr}`).toMatch(/^\{/);
    const out = JSON.parse(line) as Record<string, { code: number; stdout: string; stderr: string }>;
    for (const cmd of ['status', 'token']) {
      expect(out[cmd]?.code).toBe(1);
      expect(out[cmd]?.stdout).toBe('');
      expect(out[cmd]?.stderr).toMatch(/The OS keychain is locked/);
      expect(out[cmd]?.stderr).toMatch(/Unlock your login keyring/);
    }
    expect(findSecretsInFiles([root], { marker: 'access_token' })).toEqual([]);
  });
});
