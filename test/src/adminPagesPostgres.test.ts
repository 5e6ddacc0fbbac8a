import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { enrollWithKey } from './harness/keyCeremonies.js';
import { launchBrowser, type LaunchedBrowser } from './harness/launchBrowser.js';
import { startBroker, type RunningBroker } from './harness/startBroker.js';
import { tempPostgresSchema } from './harness/tempPostgresSchema.js';
import { addVirtualAuthenticator } from './harness/virtualAuthenticator.js';

// Real browser and broker processes on a shared 2-core machine: generous, no wall-clock assertions.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

// The admin pages keep no state in the process: a page session made on one broker instance works
// on another sharing the PostgreSQL store, and an access review started there lands in the store.
describe('admin pages on PostgreSQL, two broker instances', () => {
  const schema = tempPostgresSchema('sr_admin');
  const { store } = schema;
  let first: RunningBroker;
  let second: RunningBroker;
  let browser: LaunchedBrowser;

  beforeAll(async () => {
    first = await startBroker({ store, args: ['--demo'] });
    second = await startBroker({ store });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([first?.stop(), second?.stop()]);
    await schema.drop();
  });

  it('signs in on one instance, starts and decides a review on the other', async () => {
    const page = await browser.newPage();
    await addVirtualAuthenticator(page);
    await enrollWithKey(page, first.enrollmentLink ?? '');
    // Dana (a team lead) enrolls in her own browser context with her own key.
    const danaContext = await browser.browser.newContext();
    const danaPage = await danaContext.newPage();
    await addVirtualAuthenticator(danaPage);
    await enrollWithKey(danaPage, await first.invite('dana@example.test', ['team-leads']));
    await page.goto(`${first.issuer}/admin/sign-in`);
    await page.getByTestId('sign-in-key').click();
    await page.waitForURL((url) => url.pathname === '/admin');
    const who = await page.getByTestId('viewer').textContent();
    expect(who).toBe('admin@localhost');
    // Cookies are per host, not per port: the same session reaches the second instance.
    await page.goto(`${second.issuer}/admin/reviews`);
    expect(await page.getByTestId('viewer').textContent()).toBe(who);
    await page.getByTestId('start-review').click();
    await page.waitForURL((url) => url.search.includes('done=started'));
    const row = page.getByTestId('review-items').locator('tr').filter({ hasText: 'dana@example.test' });
    expect(await row.textContent()).toContain('team-leads');
    await row.getByRole('button', { name: /^Remove/ }).click();
    await page.waitForURL((url) => url.search.includes('done=decided'));
    expect(
      await page
        .getByTestId('review-items')
        .locator('tr')
        .filter({ hasText: 'dana@example.test' })
        .textContent(),
    ).toContain('remove');
    // Read back through the first instance: the membership is gone from the shared store.
    await page.goto(`${first.issuer}/admin/users`);
    const dana = page.getByTestId('users').locator('tr').filter({ hasText: 'dana@example.test' });
    expect(await dana.textContent()).not.toContain('team-leads');
  });
});
