import type { CedarValueJson } from '@cedar-policy/cedar-wasm/nodejs';
import { uidKey } from './collectPolicyReads.js';
import type { PolicyBundle } from './PolicyBundle.js';

/** How a JIT target may be requested; who may is the bundle's `request`/`approve` permits. */
export interface TargetTerms {
  readonly tier: string | undefined;
  readonly maxDurationMinutes: number;
  /** Distinct approvers needed, none of them the requester. */
  readonly approvalsRequired: number;
  /** Break-glass: self-activated for at most the manifest's emergencyMaxMinutes. */
  readonly emergency: boolean;
}

/**
 * Reads a target's terms from its catalog attributes, with the bundle's defaults: restricted
 * targets need two approvers unless they say otherwise (issue 5); others one. Returns undefined
 * for a target that is not in the catalog.
 */
export function targetTermsOf(
  bundle: PolicyBundle,
  target: { type: string; id: string },
): TargetTerms | undefined {
  const entity = bundle.catalog.get(uidKey(target.type, target.id));
  if (entity === undefined) return undefined;
  const attrs = entity.attrs;
  const tier = stringAttr(attrs.tier);
  const emergency = attrs.emergency === true;
  const requests = bundle.manifest.requests;
  const max = numberAttr(attrs.maxDurationMinutes) ?? requests.defaultMaxDurationMinutes;
  return {
    tier,
    emergency,
    maxDurationMinutes: emergency ? Math.min(max, requests.emergencyMaxMinutes) : max,
    approvalsRequired: numberAttr(attrs.approvalsRequired) ?? (tier === 'restricted' ? 2 : 1),
  };
}

function stringAttr(v: CedarValueJson | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function numberAttr(v: CedarValueJson | undefined): number | undefined {
  return typeof v === 'number' ? v : undefined;
}
