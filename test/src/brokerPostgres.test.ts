import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { enrollWithKey, signInWithKey } from './harness/keyCeremonies.js';
import { launchBrowser, type LaunchedBrowser } from './harness/launchBrowser.js';
import { startLoopbackReceiver, type LoopbackReceiver } from './harness/loopbackReceiver.js';
import { nativeClient } from './harness/nativeClient.js';
import { startBroker, type RunningBroker } from './harness/startBroker.js';
import { tempPostgresSchema } from './harness/tempPostgresSchema.js';
import { addVirtualAuthenticator } from './harness/virtualAuthenticator.js';

// Real browser and broker processes on a shared 2-core machine: generous, not wall-clock assertions.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

// The same broker on PostgreSQL (the scale-out store): two instances share one schema, agree on
// one signing key, and a person enrolls and signs in end to end.
describe('broker on PostgreSQL', () => {
  const schema = tempPostgresSchema('sr_e2e');
  const { store } = schema;
  let first: RunningBroker;
  let second: RunningBroker;
  let browser: LaunchedBrowser;
  let page: Page;
  let receiver: LoopbackReceiver;

  beforeAll(async () => {
    // Both first starts at the same moment on an empty schema: the store takes its migration lock
    // before `CREATE SCHEMA IF NOT EXISTS`, and keys/settings are create-if-absent then read back.
    [first, second] = await Promise.all([startBroker({ store }), startBroker({ store })]);
    browser = await launchBrowser();
    page = await browser.newPage();
    await addVirtualAuthenticator(page);
    receiver = await startLoopbackReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await browser?.close();
    await Promise.all([first?.stop(), second?.stop()]);
    await schema.drop();
  });

  it('publishes one shared signing key set from every instance', async () => {
    const jwks = await Promise.all(
      [first, second].map(async (b) => (await fetch(`${b.issuer}/jwks`)).json()),
    );
    expect(jwks[0]).toEqual(jwks[1]);
  });

  it('enrolls and signs in with DPoP-bound tokens', async () => {
    const link = first.enrollmentLink ?? second.enrollmentLink ?? '';
    await enrollWithKey(page, link.replace(/^http:\/\/localhost:\d+/, first.issuer));
    const client = await nativeClient(first.issuer);
    const login = await client.begin(receiver.redirectUri);
    await signInWithKey(page, login.url);
    const tokens = await login.finish(await receiver.nextCallback());
    expect(tokens.claims()?.amr).toContain('hwk');
    const refreshed = await client.refresh(tokens.refresh_token ?? '');
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
  });
});
