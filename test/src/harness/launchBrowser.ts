import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export interface LaunchedBrowser {
  browser: Browser;
  context: BrowserContext;
  /** A fresh page in the shared context (cookies, i.e. the broker session, are shared). */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Debian's Chromium, headless, offline-friendly flags (see /work/notes/common.md). */
export async function launchBrowser(): Promise<LaunchedBrowser> {
  const browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext();
  return {
    browser,
    context,
    newPage: () => context.newPage(),
    close: () => browser.close(),
  };
}
