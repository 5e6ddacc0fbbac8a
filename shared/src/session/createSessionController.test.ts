import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StandInProvider } from '../oidc/fixtures/StandInProvider.js';
import { createMemoryCredentialStore } from '../vault/createMemoryCredentialStore.js';
import type { HostContext } from './HostContext.js';
import { createSessionController } from './createSessionController.js';
import { refreshSession } from './refreshSession.js';

const op = new StandInProvider();
beforeAll(async () => {
  await op.start();
});
afterAll(async () => {
  await op.stop();
});

describe('createSessionController', () => {
  it('logs in, serves tokens and API calls with step-up, and signs out leaving nothing', async () => {
    const host: HostContext = {
      platform: process.platform,
      openBrowser: (url) => {
        void fetch(url, { redirect: 'manual' }).then((r) => fetch(r.headers.get('location') ?? ''));
        return Promise.resolve();
      },
      now: Date.now,
      log: () => undefined,
      notify: () => undefined,
    };
    const store = createMemoryCredentialStore();
    const session = createSessionController({
      host,
      store,
      profile: { name: 'ctl', broker: op.issuer, clientId: 'strongroom-cli', acr: 'urn:strongroom:acr:hwk' },
    });
    expect(await session.status()).toBeUndefined();
    await session.login();
    expect((await session.status())?.amr).toContain('hwk');
    expect(await session.accessToken()).toBe(op.record.issuedAccessTokens.at(-1));
    op.scenario = { stepUpApi: true };
    op.requireStepUpAgain();
    expect((await session.api.request('GET', '/api/thing')).status).toBe(200);
    expect(op.record.authorizeParams.at(-1)?.get('max_age')).toBe('0');
    const { stop } = session.keepFresh();
    stop();
    expect(await session.logout()).toEqual({ revokedAtBroker: true });
    expect(await store.list('ctl')).toEqual([]);
  });

  it('shares one refresh between concurrent callers: the rotated-out token is never presented again', async () => {
    const host: HostContext = {
      platform: process.platform,
      openBrowser: (url) => {
        void fetch(url, { redirect: 'manual' }).then((r) => fetch(r.headers.get('location') ?? ''));
        return Promise.resolve();
      },
      now: Date.now,
      log: () => undefined,
      notify: () => undefined,
    };
    const store = createMemoryCredentialStore();
    const profile = {
      name: 'flight',
      broker: op.issuer,
      clientId: 'strongroom-cli',
      acr: 'urn:strongroom:acr:hwk',
    };
    const session = createSessionController({ host, store, profile });
    await session.login();
    op.scenario = {};
    const issued = op.record.issuedRefreshTokens.length;
    // The stand-in refuses a refresh token used twice (invalid_grant), as the broker does.
    const results = await Promise.all([1, 2, 3].map(() => refreshSession({ host, store, profile })));
    expect(new Set(results.map((r) => r.accessToken)).size).toBe(1);
    expect(op.record.issuedRefreshTokens.length).toBe(issued + 1);
    // One after the other: each a real rotation with the current token.
    await refreshSession({ host, store, profile });
    expect(op.record.issuedRefreshTokens.length).toBe(issued + 2);
    expect(await session.status()).toBeDefined();
    await session.logout();
  });
});
