import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';
import type { DesktopPage } from '../api/DesktopApi.js';

/**
 * The session every app window uses. No `persist:` prefix: an in-memory partition, so nothing a
 * page stores (cookies, localStorage, cache) ever reaches the disk, and it never shares cookies
 * with anything else Electron loads.
 */
export const APP_PARTITION = 'strongroom-desktop';

/**
 * The one place web preferences are decided (issue 8, Hardening; Electron security checklist):
 * context isolation and the OS sandbox on, no Node anywhere in the renderer (not in workers, not in
 * subframes), web security on, no insecure content, no experimental or Blink features, no
 * `<webview>`, no drag-and-drop navigation, no dialogs a page could spam. DevTools only in
 * development builds.
 */
export function secureWebPreferences(preload: string, options: { devTools: boolean }): WebPreferences {
  return {
    preload,
    partition: APP_PARTITION,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    disableDialogs: true,
    spellcheck: false,
    devTools: options.devTools,
  };
}

/** Window and document titles. */
export const PAGE_TITLES: Readonly<Record<DesktopPage, string>> = {
  status: 'Strongroom: sign-in status',
  request: 'Strongroom: request access',
  approvals: 'Strongroom: approvals',
  posture: 'Strongroom: device posture',
};

const SIZES: Readonly<Record<DesktopPage, { width: number; height: number }>> = {
  status: { width: 460, height: 420 },
  request: { width: 560, height: 720 },
  approvals: { width: 620, height: 640 },
  posture: { width: 620, height: 640 },
};

/** Every BrowserWindow the app creates gets its options from here (a test asserts them). */
export function windowOptions(
  page: DesktopPage,
  preload: string,
  options: { devTools: boolean },
): BrowserWindowConstructorOptions {
  const size = SIZES[page];
  return {
    width: size.width,
    height: size.height,
    minWidth: 380,
    minHeight: 320,
    title: PAGE_TITLES[page],
    show: false,
    autoHideMenuBar: true,
    backgroundColor: '#ffffff',
    webPreferences: secureWebPreferences(preload, options),
  };
}
