import type { BundlePolicy } from './parseBundlePolicies.js';
import type { ResolvedRequest } from './buildDecisionInputs.js';
import { renderReason } from './renderReason.js';

/**
 * Words for a denial, so the developer knows what to fix (issue 5: "device posture: disk
 * encryption failed", "needs an active grant for role restricted-data-reader").
 *
 * 1. Every `forbid` that held says its `@reason` (placeholders filled in by renderReason).
 * 2. If no `permit` held, each candidate permit (its scope matched) is looked at clause by clause,
 *    with probe policies evaluated by Cedar itself (PolicySetCache 'explain'). By convention a
 *    permit's FIRST `when` clause says what it covers (e.g. `resource.tier == "restricted"`) and
 *    its later clauses are what it requires. A permit whose first clause held but a later one
 *    failed says its `@reason` ("needs an active grant for role {resource.roles}"), or names the
 *    failed clause if it has none. Single-clause permits are not explained: they cover nothing
 *    more specific than their scope.
 * 3. If no permit covered the request at all: "no policy allows <action> on <resource>".
 *
 * `satisfiedProbes` holds the ids Cedar reported satisfied in the explain set (permits and
 * `<id>#<n>` clause probes).
 */
export function explainDenial(
  request: ResolvedRequest,
  forbidsHeld: readonly BundlePolicy[],
  candidatePermits: readonly BundlePolicy[],
  satisfiedProbes: ReadonlySet<string>,
): string[] {
  const reasons: string[] = [];
  for (const forbid of forbidsHeld) {
    reasons.push(
      forbid.reason === undefined
        ? `forbidden by policy "${forbid.id}"`
        : renderReason(forbid.reason, request),
    );
  }
  if (candidatePermits.some((p) => satisfiedProbes.has(p.id))) return dedupe(reasons);
  let covered = false;
  for (const permit of candidatePermits) {
    const clauses = permit.json.conditions.length;
    if (clauses < 2 || !satisfiedProbes.has(`${permit.id}#0`)) continue;
    covered = true;
    const failed: number[] = [];
    for (let n = 1; n < clauses; n++) if (!satisfiedProbes.has(`${permit.id}#${n}`)) failed.push(n);
    if (permit.reason !== undefined) reasons.push(renderReason(permit.reason, request));
    else if (failed.length > 0)
      reasons.push(...failed.map((n) => `policy "${permit.id}": condition ${n + 1} is not met`));
    else reasons.push(`policy "${permit.id}" could not be evaluated`);
  }
  if (!covered)
    reasons.push(
      `no policy allows ${request.action} on ${request.resource.type}::${JSON.stringify(request.resource.id)}`,
    );
  return dedupe(reasons);
}

function dedupe(list: string[]): string[] {
  return [...new Set(list)];
}
