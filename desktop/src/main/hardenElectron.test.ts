import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import type { Session, WebContents } from 'electron';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../build/buildApp.js';
import { APP_ASSET_DIR } from './appPaths.js';
import { appBaseUrl } from './appPages.js';
import { CONTENT_SECURITY_POLICY } from './contentSecurityPolicy.js';
import { hardenSession } from './hardenSession.js';
import { hardenWebContents } from './hardenWebContents.js';

/**
 * The Electron objects stop at the edge: a recording stand-in with the few members these modules
 * call, so the decisions (what is served, what is refused) are tested without the binary.
 */
class RecordingSession extends EventEmitter {
  readonly handlers = new Map<string, (request: Request) => Promise<Response>>();
  permissionRequest?: (
    wc: unknown,
    permission: string,
    cb: (granted: boolean) => void,
    details: { requestingUrl?: string },
  ) => void;
  permissionCheck?: (wc: unknown, permission: string, origin: string) => boolean;
  deviceCheck?: () => boolean;
  readonly protocol = {
    handle: (scheme: string, handler: (request: Request) => Promise<Response>) =>
      void this.handlers.set(scheme, handler),
  };
  setPermissionRequestHandler(h: RecordingSession['permissionRequest']) {
    this.permissionRequest = h;
  }
  setPermissionCheckHandler(h: RecordingSession['permissionCheck']) {
    this.permissionCheck = h;
  }
  setDevicePermissionHandler(h: () => boolean) {
    this.deviceCheck = h;
  }
}

class RecordingContents extends EventEmitter {
  openHandler?: (details: { url: string }) => { action: string };
  setWindowOpenHandler(h: (details: { url: string }) => { action: string }) {
    this.openHandler = h;
  }
}

const base = appBaseUrl('https://broker.example.com');
const event = () => {
  const e = { prevented: false, preventDefault: () => void (e.prevented = true) };
  return e;
};

describe('hardenSession', () => {
  const session = new RecordingSession();
  beforeAll(async () => {
    if (!existsSync(`${APP_ASSET_DIR}/approvals.html`)) await buildApp();
    hardenSession(session as unknown as Session, () => base, APP_ASSET_DIR);
  });

  it('answers http and https itself: the app files with the CSP, 404 (with the CSP) for everything else', async () => {
    expect([...session.handlers.keys()].sort()).toEqual(['http', 'https']);
    const serve = session.handlers.get('https');
    const page = await serve?.(new Request('https://broker.example.com/_strongroom-desktop/approvals.html'));
    expect(page?.status).toBe(200);
    expect(page?.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page?.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page?.text()).toContain('<script type="module" src="approvals.js">');
    for (const url of [
      'https://broker.example.com/api/v1/targets',
      'https://broker.example.com/_strongroom-desktop/../../etc/passwd',
      'https://evil.example/_strongroom-desktop/approvals.html',
      'https://broker.example.com/_strongroom-desktop/missing.js',
    ]) {
      const answer = await serve?.(new Request(url));
      expect(answer?.status, url).toBe(404);
      expect(answer?.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    }
    const post = await serve?.(
      new Request('https://broker.example.com/_strongroom-desktop/approvals.html', {
        method: 'POST',
        body: 'x',
      }),
    );
    expect(post?.status).toBe(404);
  });

  it('grants no permission, checks none, and never selects a HID/USB/serial device', () => {
    const granted: boolean[] = [];
    for (const permission of ['notifications', 'media', 'clipboard-read', 'openExternal'])
      session.permissionRequest?.({ getURL: () => '' }, permission, (g) => granted.push(g), {
        requestingUrl: 'https://broker.example.com/_strongroom-desktop/approvals.html',
      });
    expect(granted).toEqual([false, false, false, false]);
    expect(session.permissionCheck?.({}, 'notifications', 'https://broker.example.com')).toBe(false);
    expect(session.deviceCheck?.()).toBe(false);
    const picked: unknown[] = [];
    const e = event();
    session.emit('select-hid-device', e, {}, (id: unknown) => picked.push(id));
    expect(e.prevented).toBe(true);
    expect(picked).toEqual([null]);
    const d = event();
    session.emit('will-download', d);
    expect(d.prevented).toBe(true);
  });
});

describe('hardenWebContents', () => {
  it('refuses every navigation, redirect, webview and window.open', () => {
    const contents = new RecordingContents();
    const logged: string[] = [];
    hardenWebContents(contents as unknown as WebContents, (m) => logged.push(m));
    for (const name of ['will-navigate', 'will-frame-navigate', 'will-redirect', 'will-attach-webview']) {
      const e = event();
      contents.emit(name, e, 'https://evil.example/');
      expect(e.prevented, name).toBe(true);
    }
    expect(contents.openHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(logged.some((l) => l.startsWith('navigation refused: https://evil.example/'))).toBe(true);
  });
});
