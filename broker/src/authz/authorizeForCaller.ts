import type { AuthorizeRequest, AuthorizeResponse } from '@strongroom/shared/protocol/jitApi.js';
import type { ApiCaller } from '../api/auth/ApiCaller.js';
import { BrokerError } from '../errors/BrokerError.js';
import { authorizeSessionEvent } from '../jit/authorizeSessionEvent.js';
import { isAdmin } from '../jit/isAdmin.js';
import type { JitDeps } from '../jit/JitDeps.js';
import { contextFor, principalFor } from '../jit/policyInputsFor.js';
import { deepMerge } from '../policy/runPolicyTests.js';

/**
 * `POST /api/v1/authorize`: one decision with the bundle in force, recorded with its bundle hash
 * (OCSF Authorize Session 3003). The principal's roles and groups and the context come from the
 * store (device posture, key touch, network, time, grants in force), never from the caller: a
 * user asks about themselves; only an admin (a resource service, a what-if) may name another
 * principal or override parts of the context, and such decisions are marked `asAdmin`.
 */
export async function authorizeForCaller(
  deps: JitDeps,
  caller: ApiCaller,
  body: AuthorizeRequest,
): Promise<AuthorizeResponse> {
  const { store } = deps;
  const now = deps.now();
  const aboutOther = body.principal !== undefined && body.principal.id !== caller.user.id;
  const asAdmin = aboutOther || body.context !== undefined;
  if (asAdmin && !(await isAdmin(store, caller.user.id)))
    throw new BrokerError('forbidden', 'only admins may ask about another principal or supply context');
  const user = aboutOther ? await store.getUser(body.principal?.id ?? '') : caller.user;
  if (!user) throw new BrokerError('not_found', 'no such principal');
  const bundle = deps.policy.bundle;
  const built = await contextFor(deps, store, user, {
    ...(aboutOther ? {} : { thumbprint: caller.thumbprint }),
    srcIp: caller.srcIp,
  });
  const decision = bundle.authorize({
    principal: await principalFor(store, bundle, user),
    action: body.action,
    resource: body.resource,
    context: body.context === undefined ? built : deepMerge(built, body.context),
  });
  await store.appendAudit(
    authorizeSessionEvent('other', {
      name: 'authorize',
      outcome: decision.decision === 'allow' ? 'success' : 'failure',
      actor: { kind: asAdmin ? 'admin' : 'user', userId: caller.user.id, email: caller.user.email },
      time: now,
      srcIp: caller.srcIp,
      severityId: decision.decision === 'allow' ? 1 : 2,
      data: {
        principal: user.id,
        action: body.action,
        resource: { type: body.resource.type, id: body.resource.id },
        decision: decision.decision,
        determiningPolicies: decision.determiningPolicies,
        reasons: decision.reasons,
        errors: decision.errors,
        bundleHash: decision.bundleHash,
        asAdmin,
      },
    }),
  );
  return {
    decision: decision.decision,
    determiningPolicies: [...decision.determiningPolicies],
    reasons: [...decision.reasons],
    bundleHash: decision.bundleHash,
  };
}
