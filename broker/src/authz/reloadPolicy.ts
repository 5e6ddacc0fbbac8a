import type { AuditActor } from '../audit/AuditEvent.js';
import { apiAuditEvent } from '../api/apiAuditEvent.js';
import { BrokerError } from '../errors/BrokerError.js';
import type { PolicySwapResult } from '../policy/PolicyEngine.js';
import type { JitDeps } from '../jit/JitDeps.js';

/**
 * Re-reads the bundle directory the broker was started with and swaps it in atomically when it is
 * valid; an invalid bundle is refused and the old one stays in force (PolicyEngine.reload). Both
 * outcomes are audited with the hashes. Used by the admin route and by SIGHUP.
 */
export async function reloadPolicy(
  deps: Pick<JitDeps, 'policy' | 'policyDir' | 'store' | 'now'>,
  actor: AuditActor,
  srcIp?: string,
): Promise<PolicySwapResult> {
  const result = await deps.policy.reload(deps.policyDir);
  await deps.store.appendAudit(
    apiAuditEvent('api', {
      name: 'policy.reload',
      outcome: result.swapped ? 'success' : 'failure',
      actor,
      time: deps.now(),
      ...(srcIp === undefined ? {} : { srcIp }),
      method: 'PUT',
      severityId: result.swapped ? 2 : 3,
      data: result.swapped
        ? { previousHash: result.previousHash, hash: result.hash }
        : { hash: result.hash, errors: result.errors.slice(0, 20) },
    }),
  );
  return result;
}

/** Throws `policy_invalid` (422) listing the problems when the swap was refused. */
export function swapOrThrow(result: PolicySwapResult): { previousHash: string; hash: string } {
  if (!result.swapped)
    throw new BrokerError(
      'policy_invalid',
      `the new policy bundle was refused; ${result.hash} stays in force: ${result.errors.join('; ')}`,
    );
  return { previousHash: result.previousHash, hash: result.hash };
}
