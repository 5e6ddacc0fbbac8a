import type { Page } from 'playwright-core';

const STATUS = '[data-testid="status"]';

/** Waits until the page's status region reports done (or throws with its error text). */
async function waitForStatus(page: Page): Promise<string> {
  const settled = page.locator(`${STATUS}[data-state="done"], ${STATUS}[data-state="error"]`);
  await settled.waitFor({ timeout: 20_000 });
  const text = (await settled.textContent()) ?? '';
  if ((await settled.getAttribute('data-state')) === 'error')
    throw new Error(`broker page reported: ${text}`);
  return text;
}

/**
 * Opens an enrollment link and registers the page's virtual security key
 * (call addVirtualAuthenticator(page) first). Resolves with the page's confirmation text.
 */
export async function enrollWithKey(page: Page, enrollmentLink: string): Promise<string> {
  await page.goto(enrollmentLink);
  await page.getByTestId('register-key').click();
  return waitForStatus(page);
}

/**
 * Opens an authorization URL; if the broker shows its sign-in page, signs in with the page's
 * virtual key. The browser then goes to the client's loopback redirect (collect it with a
 * LoopbackReceiver). Rejects with the page's error text if the broker refuses the key.
 */
export async function signInWithKey(page: Page, authorizationUrl: URL | string): Promise<void> {
  await page.goto(authorizationUrl.toString());
  if (!new URL(page.url()).pathname.startsWith('/interaction/')) return;
  await page.getByTestId('sign-in-key').click();
  const failed = page.locator(`${STATUS}[data-state="error"]`);
  const outcome = await Promise.race([
    page
      .waitForURL((url) => url.hostname === '127.0.0.1', { timeout: 20_000 })
      .then(() => 'redirected' as const),
    failed.waitFor({ timeout: 20_000 }).then(() => 'failed' as const),
  ]);
  if (outcome === 'failed') throw new Error(`broker page reported: ${(await failed.textContent()) ?? ''}`);
}
