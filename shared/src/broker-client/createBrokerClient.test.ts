import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedProfile } from '../config/resolveProfile.js';
import { StandInProvider } from '../oidc/fixtures/StandInProvider.js';
import { loginWithBrowser, type StepUpRequirements } from '../oidc/loginWithBrowser.js';
import type { HostContext } from '../session/HostContext.js';
import { readSession } from '../session/readSession.js';
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

  // RFC 9470 step-up must never lower the level: a challenge (from the broker, another OP's
  // resource, or anyone answering in their place) cannot make the client ask for or accept less
  // than the profile's phishing-resistant level.
  describe('never steps down', () => {
    const stepUpClient = (profile: ResolvedProfile, store: ReturnType<typeof createMemoryCredentialStore>) =>
      createBrokerClient({
        host,
        profile,
        store,
        stepUp: (requirements) => loginWithBrowser({ host, profile, store, stepUp: requirements }),
      });

    it('asks only for the required level when the challenge also offers a weaker one', async () => {
      const store = createMemoryCredentialStore();
      const profile = makeProfile();
      op.scenario = {};
      await loginWithBrowser({ host, profile, store });
      op.scenario = {
        stepUpApi: true,
        stepUpAcrValues: 'urn:mace:incommon:iap:silver urn:strongroom:acr:hwk',
      };
      op.requireStepUpAgain();
      const response = await stepUpClient(profile, store).request('GET', '/api/thing');
      expect(await response.json()).toEqual({ ok: true });
      expect(op.record.authorizeParams.at(-1)?.get('acr_values')).toBe('urn:strongroom:acr:hwk');
      expect(op.record.authorizeParams.at(-1)?.get('max_age')).toBe('0');
    });

    it('refuses a challenge that names only a level it cannot verify, before any browser opens', async () => {
      const store = createMemoryCredentialStore();
      const profile = makeProfile();
      op.scenario = {};
      await loginWithBrowser({ host, profile, store });
      const before = await readSession(store, profile.name);
      op.scenario = { stepUpApi: true, stepUpAcrValues: 'urn:mace:incommon:iap:silver' };
      op.requireStepUpAgain();
      const authorizations = op.record.authorizeParams.length;
      await expect(stepUpClient(profile, store).request('GET', '/api/thing')).rejects.toMatchObject({
        code: 'insufficient_authentication',
        message: expect.stringContaining('urn:mace:incommon:iap:silver'),
      });
      expect(op.record.authorizeParams).toHaveLength(authorizations);
      expect(await readSession(store, profile.name)).toEqual(before);
    });

    it('still refuses a step-up token without amr hwk or with a weaker acr, and keeps the old session', async () => {
      for (const idToken of [{ amr: ['pwd'] }, { acr: 'urn:mace:incommon:iap:silver' }]) {
        const store = createMemoryCredentialStore();
        const profile = makeProfile();
        op.scenario = {};
        await loginWithBrowser({ host, profile, store });
        const before = await readSession(store, profile.name);
        // The provider ignores acr_values and signs in with a password (OIDC Core §5.5.1.1 voluntary).
        op.scenario = { stepUpApi: true, idToken };
        op.requireStepUpAgain();
        await expect(stepUpClient(profile, store).request('GET', '/api/thing')).rejects.toMatchObject({
          code: 'insufficient_authentication',
        });
        expect(op.record.authorizeParams.at(-1)?.get('acr_values')).toBe('urn:strongroom:acr:hwk');
        expect(await readSession(store, profile.name)).toEqual(before);
      }
    });
  });
});
