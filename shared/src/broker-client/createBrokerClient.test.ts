import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedProfile } from '../config/resolveProfile.js';
import { StandInProvider } from '../oidc/fixtures/StandInProvider.js';
import { loginWithBrowser, type StepUpRequirements } from '../oidc/loginWithBrowser.js';
import type { HostContext } from '../session/HostContext.js';
import { createMemoryCredentialStore } from '../vault/createMemoryCredentialStore.js';
import { createBrokerClient } from './createBrokerClient.js';

/** The API client's DPoP and RFC 9470 step-up handling, against the stand-in provider's resource. */
const op = new StandInProvider();
beforeAll(async () => {
  await op.start();
});
afterAll(async () => {
  await op.stop();
});

const browse = async (url: string): Promise<void> => {
  const location = (await fetch(url, { redirect: 'manual' })).headers.get('location') ?? '';
  await fetch(location);
};
const host: HostContext = {
  platform: process.platform,
  openBrowser: (url) => {
    void browse(url);
    return Promise.resolve();
  },
  now: Date.now,
  log: () => undefined,
  notify: () => undefined,
};

const makeProfile = (): ResolvedProfile => ({
  name: `api-${randomBytes(4).toString('hex')}`,
  broker: op.issuer,
  clientId: 'strongroom-cli',
  acr: 'urn:strongroom:acr:hwk',
});

describe('createBrokerClient', () => {
  it('sends DPoP-bound requests and steps up once on insufficient_user_authentication (RFC 9470)', async () => {
    const store = createMemoryCredentialStore();
    const profile = makeProfile();
    await loginWithBrowser({ host, profile, store });
    op.scenario = { stepUpApi: true };
    const stepUps: StepUpRequirements[] = [];
    const api = createBrokerClient({
      host,
      profile,
      store,
      stepUp: async (requirements) => {
        stepUps.push(requirements);
        await loginWithBrowser({ host, profile, store, stepUp: requirements });
      },
    });
    const response = await api.request('GET', '/api/thing');
    expect(await response.json()).toEqual({ ok: true });
    expect(stepUps).toEqual([{ acrValues: ['urn:strongroom:acr:hwk'], maxAge: 0 }]);
    expect(op.record.authorizeParams.at(-1)?.get('max_age')).toBe('0');
    expect(op.record.apiRequests.every((r) => r.dpop && r.authorization?.startsWith('DPoP '))).toBe(true);
    expect(op.record.apiRequests).toHaveLength(2);
  });

  it('steps up at most once, then reports the refusal', async () => {
    const store = createMemoryCredentialStore();
    const profile = makeProfile();
    op.scenario = {};
    await loginWithBrowser({ host, profile, store });
    op.scenario = { stepUpApi: true };
    op.requireStepUpAgain();
    let calls = 0;
    // A step-up that does not satisfy the resource (the user signed in without a fresh touch).
    const api = createBrokerClient({
      host,
      profile,
      store,
      stepUp: () => Promise.resolve(void (calls += 1)),
    });
    await expect(api.request('GET', '/api/thing')).rejects.toMatchObject({
      code: 'insufficient_authentication',
    });
    expect(calls).toBe(1);
  });
});
