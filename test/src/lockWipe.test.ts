import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isolatedCliEnv, type IsolatedCliEnv } from '@strongroom/cli/testing/isolatedCliEnv.js';
import { runStrongroom, startStrongroom } from '@strongroom/cli/testing/runStrongroom.js';
import { deviceKeyNamespace } from '@strongroom/shared/device/loadSoftwareDeviceKey.js';
import { createKeychainCredentialStore } from '@strongroom/shared/vault/createKeychainCredentialStore.js';
import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBrowserHandoff, type BrowserHandoff } from './harness/browserHandoff.js';
import { enrollWithKey, signInWithKey } from './harness/keyCeremonies.js';
import { launchBrowser, type LaunchedBrowser } from './harness/launchBrowser.js';
import { startLoopbackReceiver } from './harness/loopbackReceiver.js';
import { nativeClient } from './harness/nativeClient.js';
import { startBroker, type RunningBroker } from './harness/startBroker.js';
import { addVirtualAuthenticator } from './harness/virtualAuthenticator.js';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

/** An admin signed in through the real provider, calling `/api/v1` with DPoP (openid-client). */
interface Admin {
  page: Page;
  call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
}

async function signInAdmin(broker: RunningBroker, page: Page): Promise<Admin> {
  const client = await nativeClient(broker.issuer);
  const receiver = await startLoopbackReceiver();
  try {
    const login = await client.begin(receiver.redirectUri);
    await signInWithKey(page, login.url);
    const tokens = await login.finish(await receiver.nextCallback());
    return {
      page,
      async call(method, path, body) {
        const response = await oidc.fetchProtectedResource(
          client.config,
          tokens.access_token,
          new URL(path, broker.issuer),
          method,
          body === undefined ? null : JSON.stringify(body),
          new Headers(body === undefined ? {} : { 'content-type': 'application/json' }),
          { DPoP: client.dpop },
        );
        const text = await response.text();
        return {
          status: response.status,
          body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
        };
      },
    };
  } finally {
    receiver.close();
  }
}

/**
 * A key touch over the broker's unlock challenge, made by the admin's virtual key in Chromium on
 * the broker's origin (navigator.credentials.get, user verification required).
 */
async function touchKey(page: Page, issuer: string, options: Record<string, unknown>): Promise<unknown> {
  await page.goto(issuer);
  // Runs in the page (the test's tsconfig has no DOM types, so the code is passed as text).
  return page.evaluate(`(async (o) => {
    const fromB64 = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    const toB64 = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
    const credential = await navigator.credentials.get({
      publicKey: {
        challenge: fromB64(o.challenge),
        rpId: o.rpId,
        userVerification: 'required',
        allowCredentials: (o.allowCredentials || []).map((c) => ({ id: fromB64(c.id), type: 'public-key' })),
      },
    });
    const r = credential.response;
    return {
      id: credential.id,
      rawId: toB64(credential.rawId),
      type: 'public-key',
      response: {
        clientDataJSON: toB64(r.clientDataJSON),
        authenticatorData: toB64(r.authenticatorData),
        signature: toB64(r.signature),
        ...(r.userHandle ? { userHandle: toB64(r.userHandle) } : {}),
      },
      clientExtensionResults: {},
    };
  })(${JSON.stringify(options)})`);
}

/**
 * Issue 9, end to end with the real parts: a developer signed in with the real CLI (tokens in the
 * session's gnome-keyring) runs `strongroom watch`; an admin locks them through the admin API; the
 * CLI wipes the profile's keychain entries on `session.revoked` and exits with the reason. The
 * locked developer's sign-in page refuses with a clear message; the admin who locked cannot unlock;
 * another admin unlocks with a key touch and a reason. The lock-to-wipe time is printed, not asserted.
 */
describe('lock wipes a signed-in client (real broker, CLI, gnome-keyring, Chromium keys)', () => {
  let broker: RunningBroker;
  let browser: LaunchedBrowser;
  let handoff: BrowserHandoff;
  let devPage: Page;
  let dev: IsolatedCliEnv;
  let profile: string;
  let alice: Admin;
  let boss: Admin;
  const signIns: Array<Promise<void>> = [];
  const keychain = createKeychainCredentialStore({ platform: process.platform });

  beforeAll(async () => {
    broker = await startBroker({ args: ['--demo'] });
    browser = await launchBrowser();
    const pageFor = async (link: string): Promise<Page> => {
      const context = await browser.browser.newContext();
      const page = await context.newPage();
      await addVirtualAuthenticator(page);
      await enrollWithKey(page, link);
      return page;
    };
    const alicePage = await pageFor(broker.enrollmentLink ?? '');
    const bossPage = await pageFor(await broker.invite('boss@example.test', ['admin']));
    devPage = await pageFor(await broker.invite('dev@example.test', ['ml-engineers']));
    alice = await signInAdmin(broker, alicePage);
    boss = await signInAdmin(broker, bossPage);

    handoff = await startBrowserHandoff((url) => {
      const work = signInWithKey(devPage, url);
      work.catch(() => undefined);
      signIns.push(work);
    });
    dev = isolatedCliEnv({ STRONGROOM_HANDOFF: handoff.url });
    const opener = join(dev.root, 'open-browser.mjs');
    writeFileSync(
      opener,
      "await fetch(process.env.STRONGROOM_HANDOFF, { method: 'POST', body: process.argv.at(-1) });\n",
    );
    dev.env['STRONGROOM_BROWSER'] = `${process.execPath} ${opener}`;
    profile = `lock-${randomBytes(5).toString('hex')}`;
    dev.env['STRONGROOM_PROFILE'] = profile;
    expect((await runStrongroom(['config', 'set-broker', broker.issuer], dev.env)).code).toBe(0);
    const login = await runStrongroom(['login'], dev.env);
    await Promise.all(signIns.splice(0));
    expect(login.code, login.stderr).toBe(0);
  });

  afterAll(async () => {
    await keychain.clearProfile(profile);
    await keychain.clearProfile(deviceKeyNamespace(profile));
    dev?.remove();
    handoff?.close();
    await browser?.close();
    await broker?.stop();
  });

  it('an admin lock wipes the CLI’s keychain entries; the locked user cannot sign in; only another admin unlocks', async () => {
    expect((await keychain.list(profile)).length).toBeGreaterThan(0);
    const watch = startStrongroom(['watch', '--json'], dev.env);
    await watch.waitFor(/watching events/);
    // The stream is live once an event of this user arrives: ask for access (a request.pending event).
    const asked = await runStrongroom(
      [
        'request',
        'restricted-data-reader',
        '--for',
        '15m',
        '--reason',
        'Look at the churn labels (lock e2e)',
        '--json',
      ],
      dev.env,
    );
    expect(asked.code, asked.stderr).toBe(0);
    await watch.waitFor(/"type":"request\.pending"/);

    const lockedAt = Date.now();
    const locked = await alice.call('POST', '/api/v1/admin/locks', {
      kind: 'user',
      user: 'dev@example.test',
      reason: 'suspected token theft (e2e)',
    });
    expect(locked.status, JSON.stringify(locked.body)).toBe(201);
    const lockId = (locked.body['lock'] as { id: string }).id;
    // Poll the real keychain until the profile's entries are gone.
    // (A read racing the CLI's deletion can fail on an item that just vanished: read again.)
    const entries = () => keychain.list(profile).catch(() => ['(being deleted)']);
    while ((await entries()).length > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const wipedAfterMs = Date.now() - lockedAt;
    const exited = await watch.done;
    console.log(`lock → keychain wiped: ${wipedAfterMs} ms (goal < 2000 ms; not asserted)`);
    expect(exited.code).toBe(3);
    expect(exited.stderr).toMatch(
      /signed out: your account was locked by an admin: suspected token theft \(e2e\)/,
    );
    expect(exited.stdout).toMatch(/"type":"session\.revoked"/);
    // The device key stays (the machine's identity); everything the session held is gone.
    expect(await keychain.list(deviceKeyNamespace(profile))).not.toEqual([]);
    const status = await runStrongroom(['status', '--json'], dev.env);
    expect(status.code).toBe(3);

    // Signing in again: the broker's page refuses the key touch with a clear message.
    const client = await nativeClient(broker.issuer);
    const receiver = await startLoopbackReceiver();
    try {
      const login = await client.begin(receiver.redirectUri);
      await expect(signInWithKey(devPage, login.url)).rejects.toThrow(/Your account is locked/);
    } finally {
      receiver.close();
    }

    // The admin who locked cannot unlock; another admin can, with a key touch and a reason.
    const own = await alice.call('POST', `/api/v1/admin/locks/${lockId}/unlock-challenge`);
    expect(own.status).toBe(403);
    const challenge = await boss.call('POST', `/api/v1/admin/locks/${lockId}/unlock-challenge`);
    expect(challenge.status, JSON.stringify(challenge.body)).toBe(200);
    const assertion = await touchKey(
      boss.page,
      broker.issuer,
      challenge.body['options'] as Record<string, unknown>,
    );
    const unlocked = await boss.call('POST', `/api/v1/admin/locks/${lockId}/unlock`, {
      assertion,
      reason: 'token rotated, dev confirmed (e2e)',
    });
    expect(unlocked.status, JSON.stringify(unlocked.body)).toBe(200);
    const relogin = await runStrongroom(['login'], dev.env);
    await Promise.all(signIns.splice(0));
    expect(relogin.code, relogin.stderr).toBe(0);

    const locks = await boss.call('GET', '/api/v1/admin/locks');
    expect(locks.body['locks']).toEqual([
      expect.objectContaining({
        id: lockId,
        active: false,
        lockedBy: expect.any(String),
        unlockedBy: expect.any(String),
      }),
    ]);
  });
});
