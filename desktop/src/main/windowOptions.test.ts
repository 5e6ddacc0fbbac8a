import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DESKTOP_PAGES } from '../api/DesktopApi.js';
import { APP_PARTITION, secureWebPreferences, windowOptions } from './windowOptions.js';

describe('windowOptions', () => {
  it('every window: isolated, sandboxed, no Node, web security, no webview, in-memory session, our preload', () => {
    for (const page of DESKTOP_PAGES) {
      const options = windowOptions(page, '/app/preload.cjs', { devTools: false });
      expect(options.webPreferences).toEqual({
        preload: '/app/preload.cjs',
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
        devTools: false,
      });
      expect(options.show).toBe(false);
      expect(options.title).toMatch(/^Strongroom: /);
    }
  });

  it('the session partition never persists to disk (no persist: prefix)', () => {
    expect(APP_PARTITION.startsWith('persist:')).toBe(false);
  });

  it('nothing in the preferences can turn Node or remote content on (no enableBlinkFeatures, no additionalArguments)', () => {
    const prefs = secureWebPreferences('/p.cjs', { devTools: true });
    for (const key of ['enableBlinkFeatures', 'additionalArguments', 'nodeIntegration', 'enableRemoteModule'])
      expect(prefs[key as keyof typeof prefs] ?? false).toBe(false);
    expect(prefs.devTools).toBe(true);
  });

  it('no BrowserWindow is created anywhere but with windowOptions (source scan of desktop/src/main)', () => {
    const dir = fileURLToPath(new URL('../../src/main/', import.meta.url));
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    const creators = files.filter((f) => /new BrowserWindow\(/.test(readFileSync(join(dir, f), 'utf8')));
    expect(creators.length).toBeGreaterThan(0);
    for (const file of creators) {
      const source = readFileSync(join(dir, file), 'utf8');
      const calls = source.match(/new BrowserWindow\([^)]*\)/g) ?? [];
      for (const call of calls) expect(call, file).toMatch(/new BrowserWindow\(windowOptions\(/);
    }
  });
});
