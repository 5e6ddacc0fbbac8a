import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedProfile } from '../config/resolveProfile.js';
import { deviceKeyNamespace, loadSoftwareDeviceKey } from '../device/loadSoftwareDeviceKey.js';
import type { HostContext } from '../session/HostContext.js';
import { getAccessToken } from '../session/getAccessToken.js';
import { readSession } from '../session/readSession.js';
import { ACCESS_TOKEN_ENTRY, REFRESH_TOKEN_ENTRY } from '../session/sessionEntries.js';
import { DEFAULT_SESSION_LIFETIME_MS } from '../session/summarizeTokens.js';
import { createKeychainCredentialStore } from '../vault/createKeychainCredentialStore.js';
import { StandInProvider } from './fixtures/StandInProvider.js';
import { loginWithBrowser } from './loginWithBrowser.js';

/**
 * Login and refresh against "another OpenID Provider" (the stand-in), with the real OS keychain.
 * The browser is the edge here: `browse` follows the provider's redirect to the loopback listener
 * the way a browser would. The main flows against the real broker and Chromium are in test/src.
 */
const op = new StandInProvider();
const store = createKeychainCredentialStore({ platform: process.platform });
const profiles: string[] = [];
let pages: Array<{ status: number; html: string; url: string }> = [];
let notices: string[] = [];
let browsing: Promise<void> = Promise.resolve();

async function browse(url: string): Promise<void> {
  const authorize = await fetch(url, { redirect: 'manual' });
  const location = authorize.headers.get('location');
  if (location === null) throw new Error(`no redirect from ${url}`);
  const page = await fetch(location);
  pages.push({ status: page.status, html: await page.text(), url: location });
}

/** Like a real opener: starts the browser and returns at once; `browsing` settles when the page loaded. */
const launch = (url: string): Promise<void> => {
  browsing = browse(url);
  return Promise.resolve();
};

function host(
  openBrowser: (url: string) => Promise<void> = launch,
  now: () => number = Date.now,
): HostContext {
  return {
    platform: process.platform,
    openBrowser,
    now,
    log: () => undefined,
    notify: (m) => notices.push(m),
  };
}

function profile(): ResolvedProfile {
  const name = `login-${randomBytes(5).toString('hex')}`;
  profiles.push(name);
  return { name, broker: op.issuer, clientId: 'strongroom-cli', acr: 'urn:strongroom:acr:hwk' };
}

async function expectNothingStored(p: ResolvedProfile): Promise<void> {
  expect(await store.list(p.name)).toEqual([]);
}

beforeAll(async () => {
  await op.start();
});
afterAll(async () => {
  await op.stop();
});
afterEach(async () => {
  op.scenario = {};
  pages = [];
  notices = [];
  for (const p of profiles.splice(0)) {
    await store.clearProfile(p);
    await store.clearProfile(deviceKeyNamespace(p));
  }
});

describe('loginWithBrowser against another OpenID Provider', () => {
  it('signs in with PKCE S256, DPoP (with a server nonce) and dpop_jkt, and stores the session in the keychain', async () => {
    const p = profile();
    const summary = await loginWithBrowser({ host: host(), profile: p, store });
    const key = await loadSoftwareDeviceKey(store, p.name);
    const params = op.record.authorizeParams.at(-1);
    expect(params?.get('code_challenge_method')).toBe('S256');
    expect(params?.get('acr_values')).toBe('urn:strongroom:acr:hwk');
    expect(params?.get('dpop_jkt')).toBe(key.thumbprint);
    expect(params?.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    // First token request without nonce was refused with use_dpop_nonce, the retry carried it.
    const grants = op.record.tokenRequests.filter((r) => r.grantType === 'authorization_code').slice(-2);
    expect(grants.map((g) => typeof g.nonce)).toEqual(['undefined', 'string']);
    expect(grants.every((g) => g.dpopJkt === key.thumbprint)).toBe(true);
    expect(summary).toMatchObject({
      subject: 'user-123',
      email: 'ada@example.com',
      amr: ['hwk', 'user', 'mfa'],
      deviceKeyProtection: 'software',
    });
    expect(await readSession(store, p.name)).toEqual(summary);
    expect(await store.get(p.name, ACCESS_TOKEN_ENTRY)).toBe(op.record.issuedAccessTokens.at(-1));
    await browsing;
    expect(pages.at(-1)).toMatchObject({ status: 200 });
    await browsing;
    expect(pages.at(-1)?.html).toContain('Signed in to Strongroom');
    await browsing;
    expect(pages.at(-1)?.html).not.toContain(op.record.issuedAccessTokens.at(-1));
  });

  it('refuses a second callback on the same port', async () => {
    const p = profile();
    let callbackUrl = '';
    await loginWithBrowser({
      host: host(async (url) => {
        await browse(url);
        callbackUrl = pages.at(-1)?.url ?? '';
      }),
      profile: p,
      store,
    });
    await expect(fetch(callbackUrl)).rejects.toThrow(); // the listener is closed: connection refused
  });

  it('refuses a second callback that arrives while the first is being processed', async () => {
    const p = profile();
    let second: Promise<Response> | undefined;
    // The opener returns at once, as a real one does; `browsing` settles once both callbacks were
    // sent (the login may finish before the second is: then the listener is gone, which is 599).
    const opener = (url: string): Promise<void> => {
      browsing = (async () => {
        const authorize = await fetch(url, { redirect: 'manual' });
        const location = authorize.headers.get('location') ?? '';
        const first = fetch(location);
        await new Promise((r) => setTimeout(r, 50));
        second = fetch(location).catch(() => new Response(null, { status: 599 }));
        pages.push({ status: (await first).status, html: '', url: location });
      })();
      return Promise.resolve();
    };
    await loginWithBrowser({ host: host(opener), profile: p, store });
    await browsing;
    const refused = await second;
    expect([410, 599]).toContain(refused?.status);
  });

  it('refuses a callback whose state does not match, without redeeming the code', async () => {
    const p = profile();
    op.scenario = { wrongState: true };
    const before = op.record.tokenRequests.length;
    await expect(loginWithBrowser({ host: host(), profile: p, store })).rejects.toMatchObject({
      code: 'login_failed',
      message: expect.stringContaining('"state"'),
    });
    expect(op.record.tokenRequests.length).toBe(before);
    await browsing;
    expect(pages.at(-1)?.status).toBe(400);
    await expectNothingStored(p);
  });

  it('reports an error callback (access_denied) as denied and shows an error page', async () => {
    const p = profile();
    op.scenario = { authorizeError: 'access_denied' };
    await expect(loginWithBrowser({ host: host(), profile: p, store })).rejects.toMatchObject({
      code: 'denied',
      message: expect.stringContaining('access_denied'),
    });
    await browsing;
    expect(pages.at(-1)?.html).toContain('Sign-in failed');
    await expectNothingStored(p);
  });

  it.each([
    ['a bad signature', { badSignature: true }, /signature/],
    ['a wrong audience', { idToken: { aud: 'someone-else' } }, /"aud"/],
    ['a wrong issuer', { idToken: { iss: 'https://evil.example' } }, /"iss"/],
    ['a wrong nonce', { idToken: { nonce: 'replayed' } }, /"nonce"/],
    [
      'an expired ID token',
      { idToken: { exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 7200 } },
      /"exp"|expir/,
    ],
  ])('refuses an ID token with %s and stores nothing', async (_what, scenario, message) => {
    const p = profile();
    op.scenario = scenario;
    await expect(loginWithBrowser({ host: host(), profile: p, store })).rejects.toMatchObject({
      code: 'token_invalid',
      message: expect.stringMatching(message),
    });
    await browsing;
    expect(pages.at(-1)?.status).toBe(400);
    await expectNothingStored(p);
  });

  it.each([
    ['amr without hwk', { idToken: { amr: ['pwd', 'otp'] } }, /without "hwk"/],
    ['a weaker acr', { idToken: { acr: 'urn:mace:incommon:iap:silver' } }, /weaker than the required/],
    ['no acr', { idToken: { acr: undefined } }, /no "acr"/],
  ])('refuses an ID token with %s, naming the problem', async (_what, scenario, message) => {
    const p = profile();
    op.scenario = scenario;
    await expect(loginWithBrowser({ host: host(), profile: p, store })).rejects.toMatchObject({
      code: 'insufficient_authentication',
      message: expect.stringMatching(message),
    });
    await browsing;
    expect(pages.at(-1)?.html).toContain('hardware-key');
    await expectNothingStored(p);
  });

  it('refuses bearer tokens: only DPoP-bound tokens are stored', async () => {
    const p = profile();
    op.scenario = { tokenType: 'Bearer' };
    await expect(loginWithBrowser({ host: host(), profile: p, store })).rejects.toMatchObject({
      code: 'token_invalid',
      message: expect.stringContaining('DPoP'),
    });
    await expectNothingStored(p);
  });

  it('times out cleanly when the browser never comes back', async () => {
    const p = profile();
    await expect(
      loginWithBrowser({ host: host(async () => undefined), profile: p, store, timeoutMs: 200 }),
    ).rejects.toMatchObject({ code: 'login_cancelled' });
    await expectNothingStored(p);
  });
});

describe('loginWithBrowser: step-up and session end against another OpenID Provider', () => {
  it('never requests a level below the profile for a step-up, and refuses levels it cannot compare', async () => {
    const p = profile();
    await loginWithBrowser({
      host: host(),
      profile: p,
      store,
      stepUp: { acrValues: ['urn:mace:incommon:iap:silver', 'urn:strongroom:acr:hwk'], maxAge: 0 },
    });
    expect(op.record.authorizeParams.at(-1)?.get('acr_values')).toBe('urn:strongroom:acr:hwk');
    const q = profile();
    const authorizations = op.record.authorizeParams.length;
    let opened = false;
    await expect(
      loginWithBrowser({
        host: host(() => Promise.resolve(void (opened = true))),
        profile: q,
        store,
        stepUp: { acrValues: ['urn:mace:incommon:iap:silver'] },
      }),
    ).rejects.toMatchObject({ code: 'insufficient_authentication' });
    expect(opened).toBe(false);
    expect(op.record.authorizeParams).toHaveLength(authorizations);
    await expectNothingStored(q);
  });

  it('says the session end is assumed when the provider states none', async () => {
    // The stand-in sends neither session_exp nor refresh_token_expires_in, like most providers.
    const summary = await loginWithBrowser({ host: host(), profile: profile(), store });
    expect(summary.sessionEndSource).toBe('assumed');
    expect(summary.sessionExpiresAt).toBe(summary.authTime + DEFAULT_SESSION_LIFETIME_MS);
  });
});

describe('refresh against another OpenID Provider', () => {
  it('refreshes at 80% of the access token life and rotates the refresh token', async () => {
    const p = profile();
    let now = Date.now();
    const h = host(launch, () => now);
    await loginWithBrowser({ host: h, profile: p, store });
    const firstAccess = await store.get(p.name, ACCESS_TOKEN_ENTRY);
    const firstRefresh = await store.get(p.name, REFRESH_TOKEN_ENTRY);
    now += 0.79 * 600_000;
    expect((await getAccessToken({ host: h, profile: p, store })).accessToken).toBe(firstAccess);
    now += 0.02 * 600_000;
    const refreshed = await getAccessToken({ host: h, profile: p, store });
    expect(refreshed.accessToken).not.toBe(firstAccess);
    expect(refreshed.accessToken).toBe(op.record.issuedAccessTokens.at(-1));
    expect(await store.get(p.name, REFRESH_TOKEN_ENTRY)).toBe(op.record.issuedRefreshTokens.at(-1));
    expect(await store.get(p.name, REFRESH_TOKEN_ENTRY)).not.toBe(firstRefresh);
    expect(refreshed.summary.amr).toEqual(['hwk', 'user', 'mfa']);
  });

  it('ends the session cleanly and says why when the broker revoked the refresh token', async () => {
    const p = profile();
    let now = Date.now();
    const h = host(launch, () => now);
    await loginWithBrowser({ host: h, profile: p, store });
    op.scenario = { refreshRevoked: true };
    now += 601_000; // the access token has expired
    await expect(getAccessToken({ host: h, profile: p, store })).rejects.toMatchObject({
      code: 'session_expired',
      message: expect.stringContaining('invalid_grant'),
      hint: expect.stringContaining('strongroom login'),
    });
    await expectNothingStored(p);
    expect(notices.at(-1)).toMatch(/session has ended/);
    // The device key survives: signing out ends a session, not the device's identity.
    expect(await store.list(deviceKeyNamespace(p.name))).toEqual(['private_jwk']);
  });

  it('keeps the session when the broker is unreachable during refresh, and says so', async () => {
    const p = profile();
    let now = Date.now();
    const h = host(launch, () => now);
    await loginWithBrowser({ host: h, profile: p, store });
    now += 601_000;
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve())); // nothing listens there now
    const down: ResolvedProfile = { ...p, broker: `http://127.0.0.1:${port}` };
    await expect(getAccessToken({ host: h, profile: down, store })).rejects.toMatchObject({
      code: 'broker_unreachable',
    });
    expect(await store.list(p.name)).toEqual(expect.arrayContaining(['refresh_token', 'session']));
    // Back online: the same refresh token still works.
    expect((await getAccessToken({ host: h, profile: p, store })).accessToken).toBe(
      op.record.issuedAccessTokens.at(-1),
    );
  });

  it('expired session material is not used: with everything expired the user is told to sign in', async () => {
    const p = profile();
    let now = Date.now();
    const h = host(launch, () => now);
    await loginWithBrowser({ host: h, profile: p, store });
    now += 13 * 3600 * 1000;
    const later = createKeychainCredentialStore({ platform: process.platform, now: () => now });
    await expect(getAccessToken({ host: h, profile: p, store: later })).rejects.toMatchObject({
      code: 'not_signed_in',
    });
    await expectNothingStored(p);
  });
});
