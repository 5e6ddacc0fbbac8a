import { webauthnAssertionSchema } from '@strongroom/shared/protocol/jitApi.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ApiCaller } from '../api/auth/ApiCaller.js';
import { BrokerError } from '../errors/BrokerError.js';
import { verifyCsrf, issueCsrfToken } from '../http/csrf.js';
import { parseBody } from '../http/parseBody.js';
import { sendErrorPage, sendPage } from '../http/sendPage.js';
import { approvePage } from '../pages/approvePage.js';
import { findApprovalLink, type ApprovalLink } from './approvalLink.js';
import { issueApprovalChallenge } from './approvalChallenge.js';
import { approveRequest } from './approveRequest.js';
import type { JitDeps } from './JitDeps.js';
import { issueApproval } from './issueApproval.js';

const csrfBody = z.strictObject({ csrf: z.string().max(100) });
const approveBody = z.strictObject({
  csrf: z.string().max(100),
  response: webauthnAssertionSchema,
});

/**
 * The browser half of `strongroom approve <id>`: `GET /approve/{token}` shows the request and a
 * button (data-testid `approve-key`); `POST …/options` issues the WebAuthn challenge bound to the
 * request (approvalChallenge.ts); `POST /approve/{token}` verifies the touch through
 * approveRequest, with every rule of the API, and uses the link up. CSRF: double submit plus
 * same-origin JSON (csrf.ts).
 */
export function registerApprovalPageRoutes(
  app: FastifyInstance,
  deps: JitDeps,
  secureCookies: boolean,
): void {
  const origin = deps.rp.origin;
  const linkOf = async (
    request: FastifyRequest,
    consume: boolean,
  ): Promise<{ link: ApprovalLink; caller: ApiCaller }> => {
    const token = (request.params as { token?: string }).token ?? '';
    const link = await findApprovalLink(deps.store, token, deps.now(), consume);
    const user = link && (await deps.store.getUser(link.approverId));
    if (!link || !user || user.status !== 'active')
      throw new BrokerError(
        'not_found',
        'this approval link is unknown, used or expired: run `strongroom approve` again',
      );
    const caller: ApiCaller = {
      user,
      thumbprint: link.thumbprint,
      clientId: '',
      grantId: '',
      scopes: new Set(),
      srcIp: request.ip,
    };
    return { link, caller };
  };

  app.get('/approve/:token', async (request, reply) => {
    try {
      const { link, caller } = await linkOf(request, false);
      const { request: view } = await issueApproval(deps, caller, link.requestId);
      const csrfToken = issueCsrfToken(request, reply, secureCookies);
      return sendPage(
        reply,
        approvePage({
          action: `/approve/${(request.params as { token: string }).token}`,
          csrfToken,
          request: view,
        }),
      );
    } catch (error) {
      return sendErrorPage(reply, error, 'Cannot approve');
    }
  });

  app.post('/approve/:token/options', async (request) => {
    verifyCsrf(request, parseBody(csrfBody, request.body).csrf, origin);
    const { link, caller } = await linkOf(request, false);
    const target = await deps.store.getAccessRequest(link.requestId);
    if (!target) throw new BrokerError('not_found', 'no such request');
    return issueApprovalChallenge(
      deps.store,
      deps.rp,
      target,
      caller.user.id,
      deps.now(),
      deps.options.approvalChallengeTtlSeconds,
    );
  });

  app.post('/approve/:token', async (request) => {
    const body = parseBody(approveBody, request.body);
    verifyCsrf(request, body.csrf, origin);
    const { link, caller } = await linkOf(request, true);
    const result = await approveRequest(deps, caller, link.requestId, { assertion: body.response });
    const r = result.request;
    return {
      message:
        r.status === 'approved'
          ? 'Approved. The requester can activate the grant now. You can close this window.'
          : `Approval recorded (${r.approvals.length} of ${r.approvalsRequired}). You can close this window.`,
    };
  });
}
