import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InteractionResults } from 'oidc-provider';
import { BrokerError } from '../errors/BrokerError.js';
import { HARDWARE_KEY_ACR, HARDWARE_KEY_AMR } from '../oidc/acr.js';
import { STRONGROOM_CLI_CLIENT_ID } from '../oidc/strongroomCliClient.js';
import { loginPage } from '../pages/loginPage.js';
import { assertionBody, csrfOnlyBody } from '../webauthn/ceremonyBodies.js';
import { loginOptions } from '../webauthn/loginOptions.js';
import { verifyLoginAssertion } from '../webauthn/verifyLoginAssertion.js';
import { issueCsrfToken, verifyCsrf } from './csrf.js';
import { parseBody } from './parseBody.js';
import type { RouteDeps } from './routeDeps.js';
import { recordLoginFailure, recordLoginSuccess } from './recordLogin.js';
import { sendErrorPage, sendPage } from './sendPage.js';

type UidRequest = FastifyRequest<{ Params: { uid: string } }>;

const CHALLENGE_TTL_SECONDS = 300;

/** The pages oidc-provider sends a person to when it needs them to sign in (its interaction URL). */
export function registerInteractionRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { provider, rp, challenges, config } = deps;

  /** The interaction must be the one in this browser's interaction cookie, and at the login prompt. */
  async function loginInteraction(request: UidRequest, reply: FastifyReply) {
    let details;
    try {
      details = await provider.interactionDetails(request.raw, reply.raw);
    } catch (cause) {
      throw new BrokerError(
        'invalid_request',
        'This sign-in has expired. Start again from your application.',
        {
          cause,
        },
      );
    }
    if (details.uid !== request.params.uid) {
      throw new BrokerError('invalid_request', 'This sign-in does not belong to this browser session.');
    }
    return details;
  }

  app.get('/interaction/:uid', async (request: UidRequest, reply) => {
    try {
      const details = await loginInteraction(request, reply);
      const clientId = String(details.params['client_id'] ?? '');
      // RFC 8252 §8.6: a native client's identity cannot be proven by its loopback redirect, so
      // every authorization for it needs the person (oidc-provider's `native_client_prompt`). Our
      // answer to both prompts is the same: touch the key. Other clients are not served.
      if (clientId !== STRONGROOM_CLI_CLIENT_ID || !['login', 'consent'].includes(details.prompt.name)) {
        const result: InteractionResults = {
          error: 'access_denied',
          error_description: 'this client is not allowed to sign in here',
        };
        return reply.redirect(await provider.interactionResult(request.raw, reply.raw, result));
      }
      const client = await provider.Client.find(clientId);
      const csrfToken = issueCsrfToken(request, reply, config.issuer.startsWith('https:'));
      return sendPage(
        reply,
        loginPage({ uid: details.uid, clientName: client?.clientName ?? clientId, csrfToken }),
      );
    } catch (error) {
      return sendErrorPage(reply, error, 'Sign-in problem');
    }
  });

  app.post('/interaction/:uid/options', async (request: UidRequest, reply) => {
    const body = parseBody(csrfOnlyBody, request.body);
    verifyCsrf(request, body.csrf, rp.origin);
    const details = await loginInteraction(request, reply);
    const options = await loginOptions(rp);
    await challenges.put(`login:${details.uid}`, { challenge: options.challenge }, CHALLENGE_TTL_SECONDS);
    return options;
  });

  app.post('/interaction/:uid/login', async (request: UidRequest, reply) => {
    const body = parseBody(assertionBody, request.body);
    verifyCsrf(request, body.csrf, rp.origin);
    const details = await loginInteraction(request, reply);
    const stored = await challenges.take(`login:${details.uid}`);
    if (!stored)
      throw new BrokerError('webauthn_failed', 'This sign-in attempt expired. Press the button again.');
    const clientId = String(details.params['client_id'] ?? '');
    const verified = await verifyLoginAssertion(deps.store, rp, stored.challenge, body.response);
    if (!verified.ok) {
      await recordLoginFailure(deps, verified, { clientId, srcIp: request.ip });
      if (verified.reason === 'user_locked')
        throw new BrokerError(
          'forbidden',
          'Your account is locked. Signing in is refused until another admin unlocks it; ask your Strongroom admins.',
        );
      throw new BrokerError('webauthn_failed', 'Sign-in with this security key failed.', { status: 401 });
    }
    await recordLoginSuccess(deps, verified, { clientId, srcIp: request.ip });
    const redirectTo = await provider.interactionResult(
      request.raw,
      reply.raw,
      {
        login: {
          accountId: verified.user.id,
          acr: HARDWARE_KEY_ACR,
          amr: [...HARDWARE_KEY_AMR],
          remember: true,
          ts: Math.floor(deps.now() / 1000),
        },
        // The key touch is the person's interaction for this native client (see GET above); the
        // grant itself comes from loadFirstPartyGrant.
        consent: {},
      },
      { mergeWithLastSubmission: false },
    );
    return { redirectTo };
  });
}
