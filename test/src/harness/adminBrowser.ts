import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { enrollWithKey } from './keyCeremonies.js';
import type { LaunchedBrowser } from './launchBrowser.js';
import { addVirtualAuthenticator, type VirtualAuthenticator } from './virtualAuthenticator.js';

const STATUS = '[data-testid="status"]';

/** A person in their own browser context (cookies) with their own virtual security key. */
export interface KeyHolder {
  context: BrowserContext;
  page: Page;
  key: VirtualAuthenticator;
}

/**
 * A new browser context with a virtual security key that enrolls through `link` (an invite, or the
 * admin enrollment link a broker prints at its first start). The viewport suits screenshots.
 */
export async function enrolledKeyHolder(
  browser: LaunchedBrowser,
  link: string,
  viewport: { width: number; height: number } = { width: 1200, height: 800 },
): Promise<KeyHolder> {
  const context = await browser.browser.newContext({ viewport });
  const page = await context.newPage();
  const key = await addVirtualAuthenticator(page);
  await enrollWithKey(page, link);
  return { context, page, key };
}

/**
 * Signs `page` in to the broker's admin pages with its virtual key (the sign-in page's key touch)
 * and resolves on the dashboard with the e-mail the pages show as signed in.
 */
export async function signInToAdminPages(page: Page, issuer: string): Promise<string> {
  await page.goto(`${issuer}/admin`);
  if (new URL(page.url()).pathname === '/admin/sign-in') {
    await page.getByTestId('sign-in-key').click();
    await page.waitForURL((url) => url.pathname === '/admin');
  }
  return (await page.getByTestId('viewer').textContent()) ?? '';
}

/**
 * Reloads `path` until the element with `testId` contains every one of `texts` (the detectors and
 * the event stream run after commit), at most `tries` times a second apart; resolves with its text,
 * or throws with what it last showed.
 */
export async function reloadUntilShown(
  page: Page,
  url: string,
  testId: string,
  texts: readonly string[],
  tries = 60,
): Promise<string> {
  let shown = '';
  for (let i = 0; i < tries; i++) {
    await page.goto(url);
    shown = (await page.getByTestId(testId).textContent()) ?? '';
    if (texts.every((t) => shown.includes(t))) return shown;
    await page.waitForTimeout(1000);
  }
  throw new Error(`${testId} on ${url} never showed ${texts.join(', ')}: ${shown}`);
}

/**
 * On a signed-in admin page: opens the lock's page from `/admin/locks`, gives the reason and
 * touches the key (`unlock-key`). Resolves with the status text ("Unlocked."), or throws with the
 * page's error.
 */
export async function unlockOnLockPage(
  page: Page,
  issuer: string,
  lockId: string,
  reason: string,
): Promise<string> {
  await page.goto(`${issuer}/admin/locks`);
  await page.getByTestId(`open-lock-${lockId}`).click();
  await page.getByTestId('unlock-key').waitFor();
  await page.getByLabel(/Reason for unlocking/).fill(reason);
  await page.getByTestId('unlock-key').click();
  const settled = page.locator(`${STATUS}[data-state="done"], ${STATUS}[data-state="error"]`);
  await settled.waitFor({ timeout: 30_000 });
  const text = (await settled.textContent()) ?? '';
  if ((await settled.getAttribute('data-state')) === 'error') throw new Error(`lock page reported: ${text}`);
  return text;
}

/** A full-page screenshot kept as a test artifact (`test-artifacts/<dir>/<name>.png`, not committed). */
export async function artifactScreenshot(page: Page, dir: string, name: string): Promise<string> {
  const folder = join(process.cwd(), 'test-artifacts', dir);
  await mkdir(folder, { recursive: true });
  const file = join(folder, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
