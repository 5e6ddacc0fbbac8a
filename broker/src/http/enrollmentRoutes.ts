import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BrokerError } from '../errors/BrokerError.js';
import { completeEnrollment } from '../enrollment/completeEnrollment.js';
import { findUsableEnrollment } from '../enrollment/findUsableEnrollment.js';
import { enrollPage } from '../pages/enrollPage.js';
import { attestationBody, csrfOnlyBody } from '../webauthn/ceremonyBodies.js';
import { registrationOptions } from '../webauthn/registrationOptions.js';
import { verifyEnrollmentAttestation } from '../webauthn/verifyEnrollmentAttestation.js';
import { issueCsrfToken, verifyCsrf } from './csrf.js';
import { parseBody } from './parseBody.js';
import type { RouteDeps } from './routeDeps.js';
import { sendErrorPage, sendPage } from './sendPage.js';

type TokenRequest = FastifyRequest<{ Params: { token: string } }>;

const CHALLENGE_TTL_SECONDS = 300;

/** The one-time enrollment link: register a security key and become a user with the link's roles. */
export function registerEnrollmentRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { store, rp, challenges, now, config } = deps;

  app.get('/enroll/:token', async (request: TokenRequest, reply) => {
    try {
      const enrollment = await findUsableEnrollment(store, request.params.token, now());
      const csrfToken = issueCsrfToken(request, reply, config.issuer.startsWith('https:'));
      return sendPage(
        reply,
        enrollPage({
          path: `/enroll/${request.params.token}`,
          email: enrollment.email,
          roles: enrollment.roles,
          csrfToken,
        }),
      );
    } catch (error) {
      return sendErrorPage(reply, error, 'Enrollment problem');
    }
  });

  app.post('/enroll/:token/options', async (request: TokenRequest) => {
    const body = parseBody(csrfOnlyBody, request.body);
    verifyCsrf(request, body.csrf, rp.origin);
    const enrollment = await findUsableEnrollment(store, request.params.token, now());
    const userId = randomUUID();
    const options = await registrationOptions(rp, {
      id: userId,
      email: enrollment.email,
      displayName: enrollment.email,
    });
    await challenges.put(
      `enroll:${enrollment.tokenHash}`,
      { challenge: options.challenge, userId },
      CHALLENGE_TTL_SECONDS,
    );
    return options;
  });

  app.post('/enroll/:token/register', async (request: TokenRequest) => {
    const body = parseBody(attestationBody, request.body);
    verifyCsrf(request, body.csrf, rp.origin);
    const enrollment = await findUsableEnrollment(store, request.params.token, now());
    const stored = await challenges.take(`enroll:${enrollment.tokenHash}`);
    if (!stored?.userId)
      throw new BrokerError('webauthn_failed', 'This registration attempt expired. Press the button again.');
    let credential;
    try {
      credential = await verifyEnrollmentAttestation({
        rp,
        expectedChallenge: stored.challenge,
        response: body.response,
        userId: stored.userId,
        aaguidAllowList: config.aaguidAllowList,
        now: now(),
      });
    } catch (error) {
      await store.appendAudit({
        classUid: 3001,
        activityId: 1,
        activity: 'enroll',
        statusId: 2,
        actor: { kind: 'anonymous', email: enrollment.email },
        time: now(),
        srcIp: request.ip,
        data: { reason: error instanceof BrokerError ? error.message : 'verification failed' },
      });
      throw error;
    }
    const user = await completeEnrollment(store, {
      enrollment,
      user: { id: stored.userId, displayName: enrollment.email },
      credential,
      now: now(),
      srcIp: request.ip,
    });
    return {
      message: `Security key registered for ${user.email}. You can now sign in from the Strongroom app.`,
    };
  });
}
