import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { openSqliteStore } from '@strongroom/broker/store/SqliteStore.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { brokerWithKey, type BrokerWithKey } from './harness/brokerWithKey.js';
import { enrollWithKey, signInWithKey } from './harness/keyCeremonies.js';
import type { LaunchedBrowser } from './harness/launchBrowser.js';
import type { LoopbackReceiver } from './harness/loopbackReceiver.js';
import { nativeClient } from './harness/nativeClient.js';
import type { RunningBroker } from './harness/startBroker.js';
import { addVirtualAuthenticator, type VirtualAuthenticator } from './harness/virtualAuthenticator.js';

// Real browser and broker processes on a shared 2-core machine: generous, not wall-clock assertions.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

// WebAuthn rules a real browser can be made to break: a key the broker never registered, and a
// cloned key whose signature counter went backwards (CDP lets us rewind the virtual key's counter).
// Wrong origin / RP ID cannot be produced by a browser; see broker/src/webauthn/verifyLoginAssertion.test.ts.
describe('broker: WebAuthn bad input in the browser', () => {
  let world: BrokerWithKey;
  let broker: RunningBroker;
  let browser: LaunchedBrowser;
  let page: Page;
  let key: VirtualAuthenticator;
  let receiver: LoopbackReceiver;

  beforeAll(async () => {
    world = await brokerWithKey();
    ({ broker, browser, page, key, receiver } = world);
  });
  afterAll(async () => world?.close());

  async function loginAudit() {
    const store = await openSqliteStore(broker.dataDir);
    try {
      return (await store.readAudit(1, 10_000)).filter((r) => r.activity === 'login');
    } finally {
      await store.close();
    }
  }

  async function attemptSignIn(onPage: Page) {
    const client = await nativeClient(broker.issuer);
    const login = await client.begin(receiver.redirectUri);
    await signInWithKey(onPage, login.url);
    // Callbacks are buffered; ask only once the sign-in went through, so a refused attempt leaves
    // no waiter behind to swallow the next one.
    return login.finish(await receiver.nextCallback());
  }

  it('refuses an assertion from a credential the broker never registered', async () => {
    const strangerContext = await browser.browser.newContext();
    const strangerPage = await strangerContext.newPage();
    try {
      const stranger = await addVirtualAuthenticator(strangerPage);
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      await stranger.addCredential({
        credentialId: randomBytes(16).toString('base64'),
        isResidentCredential: true,
        rpId: 'localhost',
        privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
        userHandle: Buffer.from('intruder').toString('base64'),
        signCount: 0,
      });
      await expect(attemptSignIn(strangerPage)).rejects.toThrow(/Sign-in with this security key failed/);
      const failures = (await loginAudit()).filter((r) => r.statusId === 2);
      expect(failures.at(-1)?.data).toMatchObject({ reason: 'unknown_credential' });
    } finally {
      await strangerContext.close();
    }
  });

  it('refuses a key whose signature counter went backwards, and records it as critical', async () => {
    const tokens = await attemptSignIn(page);
    expect(tokens.access_token).toBeTruthy();
    const [credential] = await key.credentials();
    if (!credential) throw new Error('virtual key has no credential');
    expect(credential.signCount).toBeGreaterThan(1);

    // A clone of the key: same private key, counter rewound.
    await key.removeCredential(credential.credentialId);
    await key.addCredential({ ...credential, signCount: 0 });
    await expect(attemptSignIn(page)).rejects.toThrow(/Sign-in with this security key failed/);
    const last = (await loginAudit()).at(-1);
    expect(last).toMatchObject({ statusId: 2, severityId: 5, data: { reason: 'counter_regression' } });

    // The real key (counter ahead of the stored one) still signs in.
    await key.removeCredential(credential.credentialId);
    await key.addCredential({ ...credential, signCount: credential.signCount + 10 });
    expect((await attemptSignIn(page)).access_token).toBeTruthy();
  });

  it('with an AAGUID allow-list, refuses other authenticator models and leaves the link usable', async () => {
    const strict = await brokerWithKey({
      args: ['--aaguid', '00000000-0000-4000-8000-0000000000aa'],
      enroll: false,
    });
    try {
      const link = strict.broker.enrollmentLink ?? '';
      await expect(enrollWithKey(strict.page, link)).rejects.toThrow(/not allowed here/);
      const store = await openSqliteStore(strict.broker.dataDir);
      try {
        expect(await store.listUsers()).toEqual([]);
      } finally {
        await store.close();
      }
      // Nothing was consumed: the page still offers registration.
      const again = await strict.page.goto(link);
      expect(again?.status()).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('with an AAGUID allow-list naming this model, enrolls', async () => {
    // Chromium's virtual CTAP2 authenticator reports this AAGUID with a packed attestation.
    const allowed = await brokerWithKey({
      args: ['--aaguid', '01020304-0506-0708-0102-030405060708'],
      enroll: false,
    });
    try {
      expect(await enrollWithKey(allowed.page, allowed.broker.enrollmentLink ?? '')).toMatch(/registered/);
    } finally {
      await allowed.close();
    }
  });
});
