import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StandInProvider } from '../oidc/fixtures/StandInProvider.js';
import { createMemoryCredentialStore } from '../vault/createMemoryCredentialStore.js';
import type { HostContext } from './HostContext.js';
import { createSessionController } from './createSessionController.js';

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
});
