import { isAppPageUrl } from './appPages.js';

/**
 * Permissions the app's pages may have: none.
 *
 * - WebAuthn (the approval key touch) is not a permission in Electron: Chromium's WebAuthn stack
 *   talks to the security key itself and enforces the RP ID against the page's origin; the key
 *   touch is the user's consent. It needs no WebHID/WebUSB access, which stays denied.
 * - Notifications come from the main process (Electron `Notification`), never from a page.
 * - The pages show text and forms: no camera, microphone, clipboard, geolocation, fullscreen,
 *   pointer lock, MIDI, idle detection, storage access or `openExternal` from a page (links to the
 *   broker open through the main process, which decides what is opened).
 *
 * Kept as a set with the origin check so adding one later is a reviewed one-line change, still
 * limited to the app's own pages.
 */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set<string>();

export function permissionDecision(
  permission: string,
  requestingUrl: string | undefined,
  base: URL,
): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && isAppPageUrl(requestingUrl, base);
}
