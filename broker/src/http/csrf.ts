import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BrokerError } from '../errors/BrokerError.js';
import { readCookie } from './cookies.js';

const COOKIE = 'sr_csrf';

/**
 * Double-submit CSRF protection (OWASP CSRF cheat sheet): a random token in a SameSite=Strict,
 * HttpOnly cookie and the same token in the page's form, compared in constant time on every POST.
 * POSTs must also be JSON from our own origin, which a cross-site form cannot produce.
 */
export function issueCsrfToken(request: FastifyRequest, reply: FastifyReply, secure: boolean): string {
  const existing = readCookie(request.headers.cookie, COOKIE);
  const token =
    existing && /^[A-Za-z0-9_-]{43}$/.test(existing) ? existing : randomBytes(32).toString('base64url');
  reply.header(
    'set-cookie',
    `${COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`,
  );
  return token;
}

/**
 * Also refuses what the browser itself marks as not same-origin (Fetch Metadata, `Sec-Fetch-Site`),
 * even with the right cookie and token: every page route of ours posts from its own origin.
 */
export function verifyCsrf(request: FastifyRequest, submitted: string, expectedOrigin: string): void {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') {
    throw new BrokerError('forbidden', 'cross-origin request refused', { status: 403 });
  }
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== expectedOrigin) {
    throw new BrokerError('forbidden', 'cross-origin request refused', { status: 403 });
  }
  const cookie = readCookie(request.headers.cookie, COOKIE);
  const a = Buffer.from(cookie ?? '', 'utf8');
  const b = Buffer.from(submitted, 'utf8');
  if (a.length === 0 || a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new BrokerError('forbidden', 'missing or wrong CSRF token; reload the page and try again', {
      status: 403,
    });
  }
}
