import type { DesktopPage } from '../api/DesktopApi.js';

/**
 * Where the app's pages live: under the broker's own origin, at a reserved path that the app's
 * session answers from the files packaged with the app (registerAppProtocol.ts), never from the
 * network.
 *
 * Why the broker's origin: the approvals page runs a WebAuthn ceremony for the broker's RP ID.
 * Browsers allow an RP ID only on its own (or a parent) domain (WebAuthn L3 §5.1.4.1 step 8), and
 * the broker checks that the signed `clientDataJSON.origin` is its origin. A page on a custom
 * scheme (`app://`) could do neither. The app is a native program on the user's machine; serving
 * its own files under that origin gives it no more power than any native FIDO2 client has, and the
 * window's session holds no broker cookies (an in-memory partition, and sign-in happens in the
 * system browser, RFC 8252 §4).
 */
export const APP_PATH_PREFIX = '/_strongroom-desktop/';

/** The base URL of the app's pages for a broker issuer URL. */
export function appBaseUrl(brokerUrl: string): URL {
  return new URL(APP_PATH_PREFIX, new URL(brokerUrl).origin);
}

export function pageUrl(base: URL, page: DesktopPage): string {
  return new URL(`${page}.html`, base).toString();
}

/**
 * Whether a URL is one of the app's own pages: same origin as the base and under the reserved
 * path. Used for the IPC sender check, navigation and permission decisions. Anything that does not
 * parse is not ours.
 */
export function isAppPageUrl(url: string | undefined, base: URL): boolean {
  if (url === undefined || url === '') return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.origin === base.origin &&
    parsed.pathname.startsWith(APP_PATH_PREFIX) &&
    parsed.username === '' &&
    parsed.password === ''
  );
}
