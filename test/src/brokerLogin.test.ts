import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { enrollWithKey, signInWithKey } from './harness/keyCeremonies.js';
import { brokerWithKey, type BrokerWithKey } from './harness/brokerWithKey.js';
import type { LaunchedBrowser } from './harness/launchBrowser.js';
import type { LoopbackReceiver } from './harness/loopbackReceiver.js';
import { BROKER_ACR, nativeClient } from './harness/nativeClient.js';
import type { RunningBroker } from './harness/startBroker.js';
import { addVirtualAuthenticator } from './harness/virtualAuthenticator.js';

// Real browser and broker processes on a shared 2-core machine: generous, not wall-clock assertions.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

// Enrollment and sign-in end to end: the real broker process, Debian's Chromium with a CDP virtual
// FIDO2 key, and openid-client as the relying party exchanging the code with DPoP.
describe('broker: hardware-key enrollment and login', () => {
  let world: BrokerWithKey;
  let broker: RunningBroker;
  let browser: LaunchedBrowser;
  let page: Page;
  let receiver: LoopbackReceiver;

  beforeAll(async () => {
    // Not enrolled yet: the first test enrolls through the printed link.
    world = await brokerWithKey({ args: ['--demo'], enroll: false });
    ({ broker, browser, page, receiver } = world);
  });
  afterAll(async () => world?.close());

  it('prints a one-time admin enrollment link that registers a key once', async () => {
    expect(broker.enrollmentLink).toMatch(/^http:\/\/localhost:\d+\/enroll\/[A-Za-z0-9_-]{43}$/);
    const link = broker.enrollmentLink ?? '';
    expect(await enrollWithKey(page, link)).toMatch(/Security key registered for admin@localhost/);

    const reused = await page.goto(link);
    expect(reused?.status()).toBe(410);
    expect(await page.getByTestId('error').textContent()).toMatch(/already used/);
  });

  it('signs in with the key and issues DPoP-bound tokens whose ID token says hwk', async () => {
    const client = await nativeClient(broker.issuer);
    const login = await client.begin(receiver.redirectUri);
    const callback = receiver.nextCallback();
    await signInWithKey(page, login.url);
    const tokens = await login.finish(await callback);

    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    expect(tokens.expires_in).toBeLessThanOrEqual(600);
    expect(tokens.refresh_token).toBeTruthy();
    const claims = tokens.claims();
    expect(claims?.amr).toEqual(expect.arrayContaining(['hwk']));
    expect(claims?.acr).toBe(BROKER_ACR);
    expect(claims?.iss).toBe(broker.issuer);

    const info = await client.userinfo(tokens.access_token, claims?.sub ?? '');
    expect(info.email).toBe('admin@localhost');
    expect(info['roles']).toEqual(['admin']);

    // The access token is bound to the DPoP key: presenting it as a plain bearer token fails.
    const bearer = await fetch(`${broker.issuer}/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(bearer.status).toBe(401);
  });

  it('rotates refresh tokens, and replaying a used one revokes the whole session', async () => {
    const client = await nativeClient(broker.issuer);
    const login = await client.begin(receiver.redirectUri);
    const callback = receiver.nextCallback();
    await signInWithKey(page, login.url);
    const first = await login.finish(await callback);
    const sub = first.claims()?.sub ?? '';

    const second = await client.refresh(first.refresh_token ?? '');
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    await client.userinfo(second.access_token, sub);

    // Replay the rotated-out token (RFC 9700 §4.14.2): refused, and the grant is revoked.
    await expect(client.refresh(first.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(client.refresh(second.refresh_token ?? '')).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await expect(client.userinfo(second.access_token, sub)).rejects.toBeInstanceOf(Error);

    // The browser session ended too: the next authorization asks for the key again.
    const again = await client.begin(receiver.redirectUri);
    await page.goto(again.url.toString());
    expect(new URL(page.url()).pathname).toMatch(/^\/interaction\//);
  });

  it('invites a user with a role; their own key enrolls and signs in with that role', async () => {
    const refused = await broker.run(['invite', 'eve@example.com', '--role', 'no-such-role']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/unknown role\(s\): no-such-role/);

    const link = await broker.invite('alice@example.com', ['ml-engineers']);
    const context = await browser.browser.newContext();
    try {
      const alicePage = await context.newPage();
      await addVirtualAuthenticator(alicePage);
      expect(await enrollWithKey(alicePage, link)).toMatch(/alice@example.com/);
      const client = await nativeClient(broker.issuer);
      const login = await client.begin(receiver.redirectUri);
      await signInWithKey(alicePage, login.url);
      const tokens = await login.finish(await receiver.nextCallback());
      const info = await client.userinfo(tokens.access_token, tokens.claims()?.sub ?? '');
      expect(info).toMatchObject({ email: 'alice@example.com', roles: ['ml-engineers'] });
    } finally {
      await context.close();
    }
  });

  it('revokes a refresh token on request (RFC 7009) and audits it', async () => {
    const client = await nativeClient(broker.issuer);
    const login = await client.begin(receiver.redirectUri);
    await signInWithKey(page, login.url);
    const tokens = await login.finish(await receiver.nextCallback());
    await oidc.tokenRevocation(client.config, tokens.refresh_token ?? '', {
      token_type_hint: 'refresh_token',
    });
    await expect(client.refresh(tokens.refresh_token ?? '')).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const exported = await broker.run(['audit', 'export']);
    const activities = exported.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.stringify(JSON.parse(line)));
    expect(activities.some((l) => l.includes('"token.revoke"'))).toBe(true);
  });

  it('refuses an acr_values level it cannot meet instead of issuing a weaker token', async () => {
    const client = await nativeClient(broker.issuer);
    const login = await client.begin(receiver.redirectUri, { acr_values: 'urn:example:acr:password' });
    const callback = receiver.nextCallback();
    await signInWithKey(page, login.url);
    const url = await callback;
    expect(url.searchParams.get('error')).toBe('unmet_authentication_requirements');
    await expect(login.finish(url)).rejects.toBeInstanceOf(oidc.AuthorizationResponseError);
  });

  it('sends the person to the key page with a strict CSP and SameSite cookies', async () => {
    const client = await nativeClient(broker.issuer);
    const login = await client.begin(receiver.redirectUri, { prompt: 'login' });
    const response = await page.goto(login.url.toString());
    expect(new URL(page.url()).pathname).toMatch(/^\/interaction\//);
    const headers = response?.headers() ?? {};
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).not.toContain('unsafe-inline');
    const cookies = await browser.context.cookies(broker.issuer);
    expect(cookies.find((c) => c.name === 'sr_csrf')?.sameSite).toBe('Strict');
    expect(cookies.filter((c) => c.name.startsWith('_interaction')).every((c) => c.sameSite === 'Lax')).toBe(
      true,
    );
  });
});
