import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { BrokerError } from '../errors/BrokerError.js';
import { issueCsrfToken, verifyCsrf } from '../http/csrf.js';
import { parseBody } from '../http/parseBody.js';
import { recordLoginFailure, recordLoginSuccess } from '../http/recordLogin.js';
import { sendErrorPage, sendPage } from '../http/sendPage.js';
import { signInPage } from '../pages/admin/signInPage.js';
import { assertionBody, csrfOnlyBody } from '../webauthn/ceremonyBodies.js';
import { loginOptions } from '../webauthn/loginOptions.js';
import { verifyLoginAssertion } from '../webauthn/verifyLoginAssertion.js';
import type { AdminDeps } from './AdminDeps.js';
import { adminFormRoute } from './adminRoute.js';
import { createPageSession, endPageSession, PAGES_CLIENT_ID, pageSessionCookie } from './pageSession.js';
import { pageViewerOf } from './pageViewer.js';

const CHALLENGE_TTL_SECONDS = 300;

/** The sign-in challenge belongs to this browser: keyed by its (double-submit) CSRF token. */
const challengeKey = (csrf: string): string =>
  `page-login:${createHash('sha256').update(csrf).digest('base64url')}`;

/**
 * Sign-in to the admin pages with a key touch (discoverable credential, UV required), audited as
 * a login (OCSF 3002) with client `strongroom-pages`; sign-out ends the session (audited too).
 * Before sign-in there is no session, so the CSRF defence is the double-submit cookie (csrf.ts).
 */
export function registerAdminSessionRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { jit } = deps;
  const { store, rp } = jit;

  app.get('/admin/sign-in', async (request, reply) => {
    try {
      if (await pageViewerOf(store, request, jit.now())) return reply.redirect('/admin', 303);
      return sendPage(reply, signInPage({ csrfToken: issueCsrfToken(request, reply, deps.secureCookies) }));
    } catch (error) {
      return sendErrorPage(reply, error, 'Sign-in problem');
    }
  });

  app.post('/admin/sign-in/options', async (request) => {
    const { csrf } = parseBody(csrfOnlyBody, request.body);
    verifyCsrf(request, csrf, rp.origin);
    const options = await loginOptions(rp);
    await deps.challenges.put(challengeKey(csrf), { challenge: options.challenge }, CHALLENGE_TTL_SECONDS);
    return options;
  });

  app.post('/admin/sign-in', async (request, reply) => {
    const body = parseBody(assertionBody, request.body);
    verifyCsrf(request, body.csrf, rp.origin);
    const stored = await deps.challenges.take(challengeKey(body.csrf));
    if (!stored)
      throw new BrokerError('webauthn_failed', 'This sign-in attempt expired. Press the button again.');
    const verified = await verifyLoginAssertion(store, rp, stored.challenge, body.response);
    const meta = { clientId: PAGES_CLIENT_ID, srcIp: request.ip };
    if (!verified.ok) {
      await recordLoginFailure(jit, verified, meta);
      throw new BrokerError('webauthn_failed', 'Sign-in with this security key failed.', { status: 401 });
    }
    await recordLoginSuccess(jit, verified, meta);
    const { token } = await createPageSession(store, verified.user.id, jit.now(), deps.sessionTtlSeconds);
    reply.header('set-cookie', pageSessionCookie(token, deps.sessionTtlSeconds, deps.secureCookies));
    return { redirectTo: '/admin' };
  });

  adminFormRoute(
    app,
    deps,
    '/admin/sign-out',
    { adminOnly: false, body: z.strictObject({ csrf: z.string() }) },
    async ({ viewer }, _body, reply) => {
      await store.transaction(async (tx) => {
        await endPageSession(tx, viewer.session);
        await tx.appendAudit({
          classUid: 3002,
          activityId: 2,
          activity: 'logout',
          statusId: 1,
          actor: { kind: 'user', userId: viewer.user.id, email: viewer.user.email },
          time: jit.now(),
          srcIp: viewer.srcIp,
          data: { clientId: PAGES_CLIENT_ID },
        });
      });
      reply.header('set-cookie', pageSessionCookie('', 0, deps.secureCookies));
      return '/admin/sign-in';
    },
  );
}
