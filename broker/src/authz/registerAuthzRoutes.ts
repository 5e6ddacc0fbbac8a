import { authorizeRequestSchema } from '@strongroom/shared/protocol/jitApi.js';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { apiCallerOf } from '../api/auth/ApiCaller.js';
import { parseBody } from '../http/parseBody.js';
import { requireAdmin } from '../jit/requireAdmin.js';
import type { JitDeps } from '../jit/JitDeps.js';
import { authorizeForCaller } from './authorizeForCaller.js';
import { reloadPolicy, swapOrThrow } from './reloadPolicy.js';

/** `POST /authorize`, `GET /policy` (bundle in force) and admin `POST /admin/policy/reload`. */
export function registerAuthzRoutes(api: FastifyInstance, deps: JitDeps): void {
  api.post('/authorize', async (request) =>
    authorizeForCaller(deps, apiCallerOf(request), parseBody(authorizeRequestSchema, request.body)),
  );

  api.get('/policy', async () => {
    const bundle = deps.policy.bundle;
    return { name: bundle.manifest.name, hash: bundle.hash, policies: bundle.policies.length };
  });

  api.post('/admin/policy/reload', async (request) => {
    const caller = apiCallerOf(request);
    // The directory is the one the broker started with, never a path from the request.
    parseBody(z.union([z.undefined(), z.null(), z.strictObject({})]), request.body);
    await requireAdmin(deps, caller, { name: 'policy.reload', what: 'reloading the policy bundle' });
    const result = await reloadPolicy(
      deps,
      { kind: 'admin', userId: caller.user.id, email: caller.user.email },
      caller.srcIp,
    );
    return swapOrThrow(result);
  });
}
