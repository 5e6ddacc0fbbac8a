import { createHash, randomBytes } from 'node:crypto';
import type { StoreOps } from '../store/Store.js';

/**
 * The signed-in state of the broker's own admin and approver pages. A key touch at
 * `/admin/sign-in` (a WebAuthn assertion with UV, like the OpenID login) starts one; the browser
 * holds a 256-bit random token in an HttpOnly, SameSite=Strict cookie and the store keeps only its
 * SHA-256, so a database reader cannot ride a session. Each session carries its own CSRF token
 * (synchronizer pattern): every state-changing form must echo it.
 */
export interface PageSession {
  /** SHA-256 of the cookie token (the store's key). */
  id: string;
  userId: string;
  /** The synchronizer CSRF token every form of this session carries. */
  csrf: string;
  signedInAt: number;
  expiresAt: number;
}

export const PAGE_SESSION_COOKIE = 'sr_page';
/** The client id the admin pages' sign-ins are audited with (OCSF 3002 `data.clientId`). */
export const PAGES_CLIENT_ID = 'strongroom-pages';
const MODEL = 'PageSession';
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const idOf = (token: string): string => createHash('sha256').update(token).digest('base64url');

export async function createPageSession(
  ops: Pick<StoreOps, 'oidcUpsert'>,
  userId: string,
  now: number,
  ttlSeconds: number,
): Promise<{ token: string; session: PageSession }> {
  const token = randomBytes(32).toString('base64url');
  const session: PageSession = {
    id: idOf(token),
    userId,
    csrf: randomBytes(32).toString('base64url'),
    signedInAt: now,
    expiresAt: now + ttlSeconds * 1000,
  };
  await ops.oidcUpsert({
    model: MODEL,
    id: session.id,
    payload: { userId, csrf: session.csrf, signedInAt: now },
    expiresAt: session.expiresAt,
    grantId: null,
    userCode: null,
    uid: null,
    consumedAt: null,
  });
  return { token, session };
}

/** The live session for a cookie token; undefined when malformed, unknown or expired. */
export async function findPageSession(
  ops: Pick<StoreOps, 'oidcFind'>,
  token: string | undefined,
  now: number,
): Promise<PageSession | undefined> {
  if (token === undefined || !TOKEN.test(token)) return undefined;
  const found = await ops.oidcFind(MODEL, idOf(token));
  if (!found || found.expiresAt === null || found.expiresAt <= now) return undefined;
  const { userId, csrf, signedInAt } = found.payload;
  if (typeof userId !== 'string' || typeof csrf !== 'string' || typeof signedInAt !== 'number')
    return undefined;
  return { id: found.id, userId, csrf, signedInAt, expiresAt: found.expiresAt };
}

export async function endPageSession(
  ops: Pick<StoreOps, 'oidcDestroy'>,
  session: PageSession,
): Promise<void> {
  await ops.oidcDestroy(MODEL, session.id);
}

export function pageSessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  // Path=/admin: the cookie never travels to the OpenID or API endpoints.
  return `${PAGE_SESSION_COOKIE}=${token}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}
