import { BrokerError } from '../errors/BrokerError.js';
import { uidKey } from '../policy/collectPolicyReads.js';
import type { PolicyBundle } from '../policy/PolicyBundle.js';

export interface TargetRules {
  type: string;
  id: string;
  tier: string;
  description?: string;
  maxDurationMinutes: number;
  approvalsRequired: number;
  emergency: boolean;
}

/** Restricted targets need two distinct approvers unless the catalog says otherwise (issue 5). */
export const RESTRICTED_DEFAULT_APPROVALS = 2;

/**
 * The numbers of a JIT target, from its catalog attributes with the bundle's defaults (Cedar
 * `request`/`approve` permits say who; these say how long and how many). Break-glass targets
 * (`emergency`) are self-activated, so they need no approver and last at most the bundle's
 * `emergencyMaxMinutes`.
 */
export function targetRules(bundle: PolicyBundle, target: { type: string; id: string }): TargetRules {
  const entity = bundle.catalog.get(uidKey(target.type, target.id));
  if (entity === undefined)
    throw new BrokerError('not_found', `${target.type} "${target.id}" is not a target in the policy bundle`);
  const a = entity.attrs;
  const tier = typeof a['tier'] === 'string' ? a['tier'] : 'internal';
  const emergency = a['emergency'] === true;
  const rules = bundle.manifest.requests;
  let max =
    typeof a['maxDurationMinutes'] === 'number' ? a['maxDurationMinutes'] : rules.defaultMaxDurationMinutes;
  if (emergency) max = Math.min(max, rules.emergencyMaxMinutes);
  const approvals =
    typeof a['approvalsRequired'] === 'number'
      ? a['approvalsRequired']
      : tier === 'restricted'
        ? RESTRICTED_DEFAULT_APPROVALS
        : 1;
  return {
    type: target.type,
    id: target.id,
    tier,
    ...(typeof a['description'] === 'string' ? { description: a['description'] } : {}),
    maxDurationMinutes: max,
    approvalsRequired: emergency ? 0 : Math.max(1, approvals),
    emergency,
  };
}
