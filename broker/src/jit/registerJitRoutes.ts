import {
  approveRequestSchema,
  createAccessRequestSchema,
  denyRequestSchema,
  revokeGrantSchema,
} from '@strongroom/shared/protocol/jitApi.js';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { apiCallerOf } from '../api/auth/ApiCaller.js';
import { parseBody } from '../http/parseBody.js';
import { createApprovalLink } from './approvalLink.js';
import { approveRequest } from './approveRequest.js';
import { breakGlassReviewSchema, listBreakGlassReviews, reviewBreakGlass } from './breakGlassReviews.js';
import { changeGrant } from './changeGrant.js';
import { closeRequest } from './closeRequest.js';
import { createAccessRequest } from './createAccessRequest.js';
import { requireAdmin } from './requireAdmin.js';
import { issueApproval } from './issueApproval.js';
import type { JitDeps } from './JitDeps.js';
import { listRequests } from './listRequests.js';
import { listTargets } from './listTargets.js';
import { toGrantView } from './toGrantView.js';

const idParams = z.strictObject({ id: z.string().uuid() });
const noBody = z.union([z.undefined(), z.null(), z.strictObject({})]);
const idOf = (params: unknown): string => parseBody(idParams, params).id;

/** The JIT elevation routes under `/api/v1` (issue 5); authentication is registerApi's onRequest. */
export function registerJitRoutes(api: FastifyInstance, deps: JitDeps): void {
  api.get('/targets', async (request) => listTargets(deps, apiCallerOf(request)));

  api.post('/requests', async (request, reply) => {
    const caller = apiCallerOf(request);
    const result = await createAccessRequest(
      deps,
      caller,
      parseBody(createAccessRequestSchema, request.body),
    );
    return reply.status('dryRun' in result ? 200 : 201).send(result);
  });

  api.get('/requests', async (request) => {
    const query = parseBody(
      z.strictObject({ toReview: z.enum(['0', '1', 'true', 'false']).optional() }),
      request.query,
    );
    const toReview = query.toReview === '1' || query.toReview === 'true';
    return { requests: await listRequests(deps, apiCallerOf(request), toReview) };
  });

  api.post('/requests/:id/approval-challenge', async (request) => {
    parseBody(noBody, request.body);
    return issueApproval(deps, apiCallerOf(request), idOf(request.params));
  });

  // A one-time browser link for the key touch (`strongroom approve`): see approvalLink.ts.
  api.post('/requests/:id/approval-link', async (request) => {
    parseBody(noBody, request.body);
    const caller = apiCallerOf(request);
    const id = idOf(request.params);
    await issueApproval(deps, caller, id); // refuses early, with reasons, what could never be approved
    const link = await createApprovalLink(
      deps.store,
      caller,
      id,
      deps.now(),
      deps.options.approvalChallengeTtlSeconds,
    );
    return { url: `${deps.rp.origin}/approve/${link.token}`, expiresAt: link.expiresAt };
  });

  api.post('/requests/:id/approve', async (request) =>
    approveRequest(
      deps,
      apiCallerOf(request),
      idOf(request.params),
      parseBody(approveRequestSchema, request.body),
    ),
  );

  api.post('/requests/:id/deny', async (request) => {
    const body = parseBody(denyRequestSchema, request.body);
    return closeRequest(deps, apiCallerOf(request), idOf(request.params), {
      kind: 'deny',
      reason: body.reason,
    });
  });

  api.post('/requests/:id/cancel', async (request) => {
    parseBody(noBody, request.body);
    return closeRequest(deps, apiCallerOf(request), idOf(request.params), { kind: 'cancel' });
  });

  api.get('/grants', async (request) => {
    const caller = apiCallerOf(request);
    const now = deps.now();
    return {
      grants: (await deps.store.listGrants(caller.user.id)).map((g) =>
        toGrantView(g, now, deps.policy.bundle.catalog),
      ),
    };
  });

  api.post('/grants/:id/activate', async (request) => {
    parseBody(noBody, request.body);
    return changeGrant(deps, apiCallerOf(request), idOf(request.params), { kind: 'activate' });
  });

  api.post('/grants/:id/drop', async (request) => {
    parseBody(noBody, request.body);
    return changeGrant(deps, apiCallerOf(request), idOf(request.params), { kind: 'drop' });
  });

  api.get('/admin/break-glass', async (request) => listBreakGlassReviews(deps, apiCallerOf(request)));

  api.post('/admin/break-glass/:id/review', async (request) => {
    const caller = apiCallerOf(request);
    const id = idOf(request.params);
    return reviewBreakGlass(deps, caller, id, parseBody(breakGlassReviewSchema, request.body));
  });

  api.post('/grants/:id/revoke', async (request) => {
    const caller = apiCallerOf(request);
    const body = parseBody(revokeGrantSchema, request.body ?? undefined);
    await requireAdmin(deps, caller, {
      name: 'jit.grant.revoke',
      what: 'revoking a grant',
      data: { grantId: idOf(request.params) },
    });
    return changeGrant(deps, caller, idOf(request.params), {
      kind: 'revoke',
      reason: body?.reason ?? 'revoked by an admin',
    });
  });
}
