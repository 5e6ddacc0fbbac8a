import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { STATE_CHANNEL, type DesktopPage, type DesktopState } from '../api/DesktopApi.js';
import { appBaseUrl, pageUrl } from '../main/appPages.js';
import { APP_RESPONSE_HEADERS } from '../main/contentSecurityPolicy.js';
import type { IpcHandler } from '../main/createIpcHandler.js';
import { resolveAppAsset } from '../main/resolveAppAsset.js';
import { HARNESS_INVOKE, HARNESS_PUSH, harnessBridgeScript } from './harnessBridge.js';

export interface AppPageOptions {
  brokerUrl: string;
  /** dist/app of the desktop package (buildApp.ts). */
  assetDir: string;
  /** The app's real IPC entry point (createIpcHandler) over the agent under test. */
  handler: IpcHandler;
}

/**
 * Makes a Chromium page behave like one of the app's windows: every request is answered the way
 * the Electron session answers it (hardenSession.ts: the app's files under the reserved path of
 * the broker's origin, with the CSP headers, 404 for everything else), and `window.strongroom` is
 * the real createDesktopApi over a binding whose calls go to `handler` with the URL of the frame
 * that made them (the IPC sender check sees the real frame).
 */
export async function installAppWindow(page: Page, options: AppPageOptions): Promise<void> {
  const base = appBaseUrl(options.brokerUrl);
  await page.route('**/*', async (route) => {
    const asset = resolveAppAsset(route.request().url(), base, options.assetDir);
    if (asset === undefined || route.request().method() !== 'GET')
      return route.fulfill({ status: 404, headers: { ...APP_RESPONSE_HEADERS }, body: 'Not found' });
    return route.fulfill({
      status: 200,
      headers: { ...APP_RESPONSE_HEADERS, 'content-type': asset.contentType },
      body: await readFile(asset.file),
    });
  });
  await page.exposeBinding(HARNESS_INVOKE, (source, channel: unknown, payload: unknown) =>
    options.handler(String(channel), payload, source.frame.url()),
  );
  await page.addInitScript({ content: await harnessBridgeScript() });
}

/** Opens one of the app's pages in a page prepared by installAppWindow. */
export async function openAppPage(page: Page, brokerUrl: string, which: DesktopPage): Promise<void> {
  await page.goto(pageUrl(appBaseUrl(brokerUrl), which));
}

/** What the main process does on every state change: push it to the window. */
export async function pushState(page: Page, state: DesktopState): Promise<void> {
  await page.evaluate(
    ([push, channel, s]) =>
      (globalThis as unknown as Record<string, (c: string, p: unknown) => void>)[push]?.(channel, s),
    [HARNESS_PUSH, STATE_CHANNEL, state] as const,
  );
}
