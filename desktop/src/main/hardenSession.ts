import { readFile } from 'node:fs/promises';
import type { Session } from 'electron';
import { APP_RESPONSE_HEADERS } from './contentSecurityPolicy.js';
import { permissionDecision } from './permissionPolicy.js';
import { resolveAppAsset } from './resolveAppAsset.js';

/**
 * The app session's rules, set once before any window loads:
 * - http and https on this session are answered by the app itself: its own files under the
 *   reserved path of the broker's origin (appPages.ts), 404 for anything else. A page can reach
 *   nothing on the network, even if its CSP were bypassed (the main process's own broker calls use
 *   Node's fetch, not this session);
 * - every permission request and check is decided by permissionPolicy.ts (none allowed);
 * - device pickers (HID, USB, serial, Bluetooth) never grant anything (WebAuthn needs none).
 */
export function hardenSession(session: Session, appBase: () => URL, assetDir: string): void {
  const serve = async (request: Request): Promise<Response> => {
    const asset = resolveAppAsset(request.url, appBase(), assetDir);
    if (asset === undefined || request.method !== 'GET')
      return new Response('Not found', { status: 404, headers: APP_RESPONSE_HEADERS });
    try {
      return new Response(await readFile(asset.file), {
        status: 200,
        headers: { ...APP_RESPONSE_HEADERS, 'content-type': asset.contentType },
      });
    } catch {
      return new Response('Not found', { status: 404, headers: APP_RESPONSE_HEADERS });
    }
  };
  session.protocol.handle('https', serve);
  session.protocol.handle('http', serve);

  session.setPermissionRequestHandler((webContents, permission, callback, details) =>
    callback(permissionDecision(permission, details.requestingUrl ?? webContents.getURL(), appBase())),
  );
  session.setPermissionCheckHandler((_webContents, permission, requestingOrigin) =>
    permissionDecision(permission, requestingOrigin, appBase()),
  );
  session.setDevicePermissionHandler(() => false);
  session.on('select-hid-device', (event, _details, callback) => {
    event.preventDefault();
    callback(null);
  });
  session.on('select-usb-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });
  session.on('select-serial-port', (event, _ports, _webContents, callback) => {
    event.preventDefault();
    callback('');
  });
  session.on('will-download', (event) => event.preventDefault());
}
