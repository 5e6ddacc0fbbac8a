import type { PolicyBundle } from '../policy/PolicyBundle.js';
import type { AccessRequestRecord } from '../store/jitRecords.js';
import type { UserRecord } from '../store/records.js';
import type { StoreOps } from '../store/Store.js';
import type { JitDeps } from './JitDeps.js';
import { contextFor, principalFor } from './policyInputsFor.js';

/**
 * Whether `user` may approve `request` now by policy (Cedar `approve` on the target). The key touch
 * the approval itself carries is assumed (`keyTouchedAt: now`): this asks "is this person an
 * approver", the approval route then checks the touch. Never the requester.
 */
export async function mayApprove(
  deps: Pick<JitDeps, 'devices' | 'now' | 'options'>,
  ops: Pick<StoreOps, 'listMemberships' | 'listCredentials' | 'listGrants'>,
  bundle: PolicyBundle,
  user: UserRecord,
  request: AccessRequestRecord,
  source: { thumbprint?: string; srcIp: string },
): Promise<{ allowed: boolean; reasons: readonly string[] }> {
  if (user.id === request.requesterId)
    return { allowed: false, reasons: ['nobody approves their own request'] };
  if (user.status !== 'active') return { allowed: false, reasons: [`the account is ${user.status}`] };
  const decision = bundle.authorize({
    principal: await principalFor(ops, bundle, user),
    action: 'approve',
    resource: { ...request.target },
    context: await contextFor(deps, ops, user, { ...source, keyTouchedAt: deps.now() }),
  });
  return { allowed: decision.decision === 'allow', reasons: decision.reasons };
}

/** Everyone who may approve `request` now (for notifications and the approvers' review list). */
export async function eligibleApprovers(
  deps: Pick<JitDeps, 'devices' | 'now' | 'options'>,
  ops: Pick<StoreOps, 'listUsers' | 'listMemberships' | 'listCredentials' | 'listGrants'>,
  bundle: PolicyBundle,
  request: AccessRequestRecord,
): Promise<UserRecord[]> {
  const out: UserRecord[] = [];
  for (const user of await ops.listUsers()) {
    const answer = await mayApprove(deps, ops, bundle, user, request, { srcIp: '127.0.0.1' });
    if (answer.allowed) out.push(user);
  }
  return out;
}
