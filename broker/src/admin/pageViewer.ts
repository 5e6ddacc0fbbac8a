import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ApiCaller } from '../api/auth/ApiCaller.js';
import { BrokerError } from '../errors/BrokerError.js';
import { readCookie } from '../http/cookies.js';
import { isAdmin } from '../jit/isAdmin.js';
import type { UserRecord } from '../store/records.js';
import type { StoreOps } from '../store/Store.js';
import { findPageSession, PAGE_SESSION_COOKIE, PAGES_CLIENT_ID, type PageSession } from './pageSession.js';

/** Who is looking at an admin page: a signed-in, active user; `isAdmin` as isAdmin.ts decides. */
export interface PageViewer {
  user: UserRecord;
  isAdmin: boolean;
  session: PageSession;
  srcIp: string;
}

/**
 * The viewer of this request, or undefined when not signed in. The user is re-read on every
 * request: a locked or disabled account, or a removed admin role, takes effect at once. A lock
 * also ends page sessions for good: a session from before the person's latest lock stays dead
 * after the unlock (they sign in again, as the lock workflow says).
 */
export async function pageViewerOf(
  ops: Pick<StoreOps, 'oidcFind' | 'getUser' | 'listMemberships' | 'listLocks'>,
  request: FastifyRequest,
  now: number,
): Promise<PageViewer | undefined> {
  const session = await findPageSession(ops, readCookie(request.headers.cookie, PAGE_SESSION_COOKIE), now);
  if (!session) return undefined;
  const user = await ops.getUser(session.userId);
  if (!user || user.status !== 'active') return undefined;
  const [latest] = await ops.listLocks({ userId: user.id, limit: 1 });
  if (latest && latest.kind === 'user' && latest.lockedAt >= session.signedInAt) return undefined;
  return { user, isAdmin: await isAdmin(ops, user.id), session, srcIp: request.ip };
}

export function requireAdmin(viewer: PageViewer): void {
  if (!viewer.isAdmin) throw new BrokerError('forbidden', 'this page needs the admin role');
}

/**
 * CSRF defence for every state-changing admin request (OWASP CSRF cheat sheet): the session's
 * synchronizer token must come back in the form or JSON body (constant-time compare), and a
 * browser's Origin and Sec-Fetch-Site, when sent, must say same origin. The session cookie is
 * SameSite=Strict as well, so a cross-site form does not even carry it.
 */
export function verifyPageCsrf(
  request: FastifyRequest,
  viewer: PageViewer,
  submitted: string | undefined,
  origin: string,
): void {
  const sentOrigin = request.headers.origin;
  const site = request.headers['sec-fetch-site'];
  // Our pages send `Referrer-Policy: no-referrer`, under which a browser's form POST carries
  // `Origin: null`; that is accepted only with the browser's own `Sec-Fetch-Site: same-origin`
  // (a forbidden header: page script cannot set it). A sandboxed or opaque cross-site page also
  // sends `null`, but never with same-origin.
  const originOk =
    sentOrigin === undefined || sentOrigin === origin || (sentOrigin === 'null' && site === 'same-origin');
  if (!originOk || (site !== undefined && site !== 'same-origin'))
    throw new BrokerError('forbidden', 'cross-origin request refused');
  const a = Buffer.from(viewer.session.csrf, 'utf8');
  const b = Buffer.from(submitted ?? '', 'utf8');
  if (a.length !== b.length || !timingSafeEqual(a, b))
    throw new BrokerError('forbidden', 'missing or wrong CSRF token; reload the page and try again');
}

/** The viewer as the JIT workflow's caller (approve, deny, revoke). No device key: a browser. */
export function callerOf(viewer: PageViewer): ApiCaller {
  return {
    user: viewer.user,
    thumbprint: '',
    clientId: PAGES_CLIENT_ID,
    grantId: '',
    scopes: new Set(),
    srcIp: viewer.srcIp,
  };
}
