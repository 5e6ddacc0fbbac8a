import type { TargetsResponse } from '@strongroom/shared/protocol/jitApi.js';
import type { ApiCaller } from '../api/auth/ApiCaller.js';
import type { JitDeps } from './JitDeps.js';
import { contextFor, principalFor } from './policyInputsFor.js';
import { targetRules } from './targetRules.js';

/**
 * `GET /api/v1/targets`: every catalog entity the `request` action applies to, kept when Cedar
 * allows the caller to request it, with its maximum duration and approver count (targetRules).
 */
export async function listTargets(deps: JitDeps, caller: ApiCaller): Promise<TargetsResponse> {
  const bundle = deps.policy.bundle;
  const types = new Set(bundle.schema.actions.get('request')?.resourceTypes ?? []);
  const principal = await principalFor(deps.store, bundle, caller.user);
  const context = await contextFor(deps, deps.store, caller.user, {
    thumbprint: caller.thumbprint,
    srcIp: caller.srcIp,
  });
  const targets: TargetsResponse['targets'] = [];
  for (const entity of bundle.catalog.values()) {
    if (!types.has(entity.type)) continue;
    const resource = { type: entity.type, id: entity.id };
    if (bundle.authorize({ principal, action: 'request', resource, context }).decision === 'allow')
      targets.push(targetRules(bundle, resource));
  }
  const { minReasonLength, ticketPattern } = bundle.manifest.requests;
  return {
    targets,
    requestRules: { minReasonLength, ...(ticketPattern === undefined ? {} : { ticketPattern }) },
    bundleHash: bundle.hash,
  };
}
