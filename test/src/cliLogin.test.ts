import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findSecretsInFiles } from '@strongroom/cli/testing/findSecretsInFiles.js';
import { isolatedCliEnv, type IsolatedCliEnv } from '@strongroom/cli/testing/isolatedCliEnv.js';
import { runStrongroom, startStrongroom } from '@strongroom/cli/testing/runStrongroom.js';
import {
  deviceKeyNamespace,
  loadSoftwareDeviceKey,
} from '@strongroom/shared/device/loadSoftwareDeviceKey.js';
import type { ResolvedProfile } from '@strongroom/shared/config/resolveProfile.js';
import { loginWithBrowser } from '@strongroom/shared/oidc/loginWithBrowser.js';
import type { HostContext } from '@strongroom/shared/session/HostContext.js';
import { REFRESH_TOKEN_ENTRY } from '@strongroom/shared/session/sessionEntries.js';
import { createKeychainCredentialStore } from '@strongroom/shared/vault/createKeychainCredentialStore.js';
import * as oidc from 'openid-client';
import type { Frame, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHandoff, type BrowserHandoff } from './harness/browserHandoff.js';
import { enrollWithKey, signInWithKey } from './harness/keyCeremonies.js';
import { launchBrowser, type LaunchedBrowser } from './harness/launchBrowser.js';
import { freePort, startBroker, type RunningBroker } from './harness/startBroker.js';
import { addVirtualAuthenticator } from './harness/virtualAuthenticator.js';

/**
 * `strongroom login` → `status --json` → `token` → `logout` as real child processes against the
 * real broker, with Debian's Chromium and a CDP virtual security key playing the user, and the
 * real gnome-keyring as the vault. The CLI's browser opener (STRONGROOM_BROWSER) hands the URL to
 * this test, which drives Chromium. Afterwards no token may exist in any file the test can see.
 */
describe('strongroom CLI against the real broker', () => {
  let broker: RunningBroker;
  let browser: LaunchedBrowser;
  let page: Page;
  let handoff: BrowserHandoff;
  const signIns: Array<Promise<void>> = [];
  const envs: IsolatedCliEnv[] = [];
  const keychain = createKeychainCredentialStore({ platform: process.platform });
  let profile = 'default';
  let issuedTokens: Record<string, string> | undefined;

  // A short absolute session lifetime, so `status` can be checked to show the broker's real end
  // (session_exp in the ID token) and not the client's 12-hour guess.
  const sessionTtlSeconds = 900;

  beforeAll(async () => {
    broker = await startBroker({ args: ['--demo', '--session-ttl', String(sessionTtlSeconds)] });
    browser = await launchBrowser();
    page = await browser.newPage();
    await addVirtualAuthenticator(page);
    await enrollWithKey(page, broker.enrollmentLink ?? '');
    // The "system browser" the CLI opens: receives the URL and signs in with the virtual key.
    handoff = await startBrowserHandoff((url) => signIns.push(signInWithKey(page, url)));
  });
  afterAll(async () => {
    handoff?.close();
    await browser?.close();
    await broker?.stop();
  });
  afterEach(async () => {
    for (const e of envs.splice(0)) e.remove();
    // logout keeps the device key (it is the device's identity); tests leave nothing behind.
    await keychain.clearProfile(profile);
    await keychain.clearProfile(deviceKeyNamespace(profile));
  });

  /** The broker refuses this refresh token even with this device's DPoP key: the session is over there. */
  async function expectRefreshRefused(refreshToken: string): Promise<void> {
    const config = await oidc.discovery(
      new URL(broker.issuer),
      'strongroom-cli',
      { token_endpoint_auth_method: 'none' },
      oidc.None(),
      {
        execute: [oidc.allowInsecureRequests],
      },
    );
    const deviceKey = await loadSoftwareDeviceKey(keychain, profile);
    const DPoP = oidc.getDPoPHandle(config, deviceKey.keyPair);
    await expect(oidc.refreshTokenGrant(config, refreshToken, undefined, { DPoP })).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  }

  /** A fresh HOME/XDG tree configured for this broker, with the browser opener pointed at the test. */
  async function cliEnv(): Promise<IsolatedCliEnv> {
    const isolated = isolatedCliEnv({ STRONGROOM_HANDOFF: handoff.url });
    envs.push(isolated);
    const opener = join(isolated.root, 'open-browser.mjs');
    writeFileSync(
      opener,
      "await fetch(process.env.STRONGROOM_HANDOFF, { method: 'POST', body: process.argv.at(-1) });\n",
    );
    isolated.env['STRONGROOM_BROWSER'] = `${process.execPath} ${opener}`;
    // A profile name of its own: the keychain is shared with every other test in this D-Bus session.
    profile = `e2e-${randomBytes(5).toString('hex')}`;
    isolated.env['STRONGROOM_PROFILE'] = profile;
    const set = await runStrongroom(['config', 'set-broker', broker.issuer], isolated.env);
    expect(set.code, set.stderr).toBe(0);
    return isolated;
  }

  it('login → status --json → token → logout, and no token in any file afterwards', async () => {
    const { env, root } = await cliEnv();
    const login = await runStrongroom(['login'], env);
    await Promise.all(signIns);
    expect(login.stderr).not.toMatch(/error/i);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toMatch(
      /Signed in to http:\/\/localhost:\d+ as admin@localhost with a hardware key \(.*hwk/,
    );

    const status = await runStrongroom(['status', '--json'], env);
    expect(status.code, status.stderr).toBe(0);
    const parsed = JSON.parse(status.stdout) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      signedIn: true,
      profile,
      issuer: broker.issuer,
      email: 'admin@localhost',
      acr: 'urn:strongroom:acr:hwk',
    });
    expect(parsed['amr']).toEqual(expect.arrayContaining(['hwk']));
    expect(Date.parse(String(parsed['sessionExpiresAt']))).toBeGreaterThan(Date.now());
    // The broker's absolute end, counted from the key touch, as the broker stated it.
    expect(Date.parse(String(parsed['sessionExpiresAt']))).toBe(
      Date.parse(String(parsed['authTime'])) + sessionTtlSeconds * 1000,
    );
    expect(parsed['sessionEndSource']).toBe('id_token');
    expect(parsed['deviceKey']).toMatchObject({ protection: 'software' });

    const human = await runStrongroom(['status'], env);
    expect(human.stdout).toMatch(/how: +hwk/);
    expect(human.stdout).toMatch(/session ends:/);
    expect(human.stdout).not.toMatch(/assumed/);

    const token = await runStrongroom(['token'], env);
    expect(token.code, token.stderr).toBe(0);
    expect(token.stderr).toMatch(/warning: this prints a live access token/);
    const accessToken = token.stdout.trim();
    expect(accessToken.length).toBeGreaterThan(20);
    const firstRefreshToken = (await keychain.get(profile, REFRESH_TOKEN_ENTRY)) ?? '';
    expect(firstRefreshToken.length).toBeGreaterThan(20);

    // Refresh with the real broker (DPoP proof, server nonce, rotation) once the token is due.
    await keychain.delete(profile, 'access_token');
    const refreshed = await runStrongroom(['token'], env);
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(refreshed.stdout.trim()).not.toBe(accessToken);
    const rotated = (await keychain.get(profile, REFRESH_TOKEN_ENTRY)) ?? '';
    expect(rotated).not.toBe(firstRefreshToken);
    expect(rotated.length).toBeGreaterThan(20);
    const refreshToken = rotated;

    // DPoP-bound: presented as a bearer token (as a thief without the device key would), it fails.
    const stolen = await fetch(`${broker.issuer}/me`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(stolen.status).toBe(401);

    const logout = await runStrongroom(['logout'], env);
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stdout).toMatch(/the broker ended the session/);
    expect(await keychain.list(profile)).toEqual([]);
    // The broker really ended the session: the last refresh token, with this device's DPoP key, is refused.
    await expectRefreshRefused(refreshToken);
    const after = await runStrongroom(['status', '--json'], env);
    expect(after.code).toBe(3);
    expect(JSON.parse(after.stdout)).toMatchObject({ signedIn: false });

    // Tokens only ever lived in the keychain: not in HOME, the XDG dirs or the test's temp root.
    const secrets = {
      accessToken,
      refreshedAccessToken: refreshed.stdout.trim(),
      firstRefreshToken,
      refreshToken,
    };
    expect(findSecretsInFiles([root], secrets)).toEqual([]);
    issuedTokens = secrets;
  });

  it('step-up (RFC 9470): login again with max_age=0 makes the person touch the key again', async () => {
    profile = `e2e-${randomBytes(5).toString('hex')}`;
    const target: ResolvedProfile = {
      name: profile,
      broker: broker.issuer,
      clientId: 'strongroom-cli',
      acr: 'urn:strongroom:acr:hwk',
    };
    const keyPages: string[] = [];
    const onNavigate = (frame: Frame): void => {
      if (frame === page.mainFrame() && new URL(frame.url()).pathname.startsWith('/interaction/'))
        keyPages.push(frame.url());
    };
    page.on('framenavigated', onNavigate);
    const host: HostContext = {
      platform: process.platform,
      openBrowser: (url) => {
        signIns.push(signInWithKey(page, url));
        return Promise.resolve();
      },
      now: Date.now,
      log: () => undefined,
      notify: () => undefined,
    };
    try {
      await loginWithBrowser({ host, profile: target, store: keychain });
      await Promise.all(signIns);
      const touchesBefore = keyPages.length;
      const stepUpStarted = Math.floor(Date.now() / 1000) * 1000;
      const stepped = await loginWithBrowser({
        host,
        profile: target,
        store: keychain,
        stepUp: { maxAge: 0, acrValues: ['urn:strongroom:acr:hwk'] },
      });
      await Promise.all(signIns);
      expect(keyPages.length).toBe(touchesBefore + 1); // the broker asked for the key again
      expect(stepped.authTime).toBeGreaterThanOrEqual(stepUpStarted); // and says so in auth_time
      expect(stepped.amr).toContain('hwk');
    } finally {
      page.off('framenavigated', onNavigate);
    }
  });

  // oidc-provider's opaque token id is the token value; the broker's store keeps only its SHA-256
  // (broker/src/store/oidcAdapter.ts), so its database (and WAL) holds no usable token.
  it("the broker's data directory holds no token in plain text", () => {
    expect(issuedTokens).toBeDefined();
    expect(findSecretsInFiles([broker.dataDir], issuedTokens ?? {})).toEqual([]);
  });

  it('login --no-browser prints the URL for a remote shell, and a second login replaces the session', async () => {
    const { env } = await cliEnv();
    delete env['STRONGROOM_BROWSER'];
    for (let i = 0; i < 2; i += 1) {
      const cli = startStrongroom(['login', '--no-browser', '--json'], env);
      const [, url] = await cli.waitFor(/^\s+(http:\/\/localhost:\d+\/auth\?\S+)$/m);
      expect(url).toContain('code_challenge_method=S256');
      expect(url).toContain('acr_values=urn%3Astrongroom%3Aacr%3Ahwk');
      expect(url).toContain('dpop_jkt=');
      await signInWithKey(page, url ?? '');
      const run = await cli.done;
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ signedIn: true, email: 'admin@localhost' });
    }
    expect([...(await keychain.list(profile))].sort()).toEqual(['access_token', 'refresh_token', 'session']);
    expect((await runStrongroom(['logout'], env)).code).toBe(0);
  });

  it('a refresh token the broker revoked ends the session cleanly and says why', async () => {
    const { env } = await cliEnv();
    expect((await runStrongroom(['login'], env)).code).toBe(0);
    await Promise.all(signIns);
    // The broker revokes the session (RFC 7009 revocation of its refresh token) …
    const refreshToken = (await keychain.get(profile, REFRESH_TOKEN_ENTRY)) ?? '';
    const revoked = await fetch(`${broker.issuer}/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token: refreshToken,
        token_type_hint: 'refresh_token',
        client_id: 'strongroom-cli',
      }),
    });
    expect(revoked.status).toBe(200);
    // … and the access token is due for refresh (as if 80% of its life had passed).
    await keychain.delete(profile, 'access_token');
    const token = await runStrongroom(['token'], env);
    expect(token.code).toBe(3);
    expect(token.stdout).toBe('');
    expect(token.stderr).toMatch(/session has ended/);
    expect(token.stderr.match(/session has ended/g)).toHaveLength(1);
    expect(token.stderr).toMatch(/strongroom login/);
    expect(await keychain.list(profile)).toEqual([]);
  });

  it('a profile demanding a level the broker cannot meet is denied (exit 4) and stores nothing', async () => {
    const { env } = await cliEnv();
    const set = await runStrongroom(
      ['config', 'set-broker', broker.issuer, '--acr', 'urn:example:acr:password'],
      env,
    );
    expect(set.code).toBe(0);
    const login = await runStrongroom(['login'], env);
    await Promise.all(signIns);
    expect(login.code, login.stderr).toBe(4);
    expect(login.stderr).toMatch(/unmet_authentication_requirements/);
    expect(await keychain.list(profile)).toEqual([]);
  });

  it('an unreachable broker is exit 5 with what to do', async () => {
    const { env } = await cliEnv();
    const closed = await freePort(); // nothing listens there
    const set = await runStrongroom(['config', 'set-broker', `http://127.0.0.1:${closed}`], env);
    expect(set.code).toBe(0);
    for (const args of [['login'], ['logout']]) {
      const run = await runStrongroom(args, env);
      if (args[0] === 'login') {
        expect(run.code).toBe(5);
        expect(run.stderr).toMatch(/Cannot reach the Strongroom broker at http:\/\/127\.0\.0\.1:\d+/);
        expect(run.stderr).toMatch(/Check that the broker is running/);
      } else {
        expect(run.code).toBe(0);
      }
    }
    expect(await keychain.list(profile)).toEqual([]);
  });
});
