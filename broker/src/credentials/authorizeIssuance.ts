import type { ApiCaller } from '../api/auth/ApiCaller.js';
import { BrokerError } from '../errors/BrokerError.js';
import { grantStateAt } from '../jit/grantStateAt.js';
import type { JitDeps } from '../jit/JitDeps.js';
import { contextFor, principalFor } from '../jit/policyInputsFor.js';
import { uidKey } from '../policy/collectPolicyReads.js';
import type { CatalogEntity } from '../policy/parseCatalog.js';
import type { GrantRecord } from '../store/jitRecords.js';
import { covers } from './grantCoverage.js';

/** No credential outlives an hour, whatever the grant says (ARCHITECTURE.md, Credentials). */
export const MAX_CREDENTIAL_SECONDS = 3600;

export interface IssuanceQuestion {
  /** The catalog asset the credential is for (`HostGroup`, `BucketPrefix`, `Service`, …). */
  target: { type: string; id: string };
  /** The Cedar action using the credential means (`ssh`, `read`, `deploy`, …). */
  action: string;
  /** A specific grant of the caller's; without it, the covering grant that lasts longest. */
  grantId?: string;
  requestedSeconds?: number;
}

export interface IssuanceDecision {
  grant: GrantRecord;
  /** The catalog entity of the target (credential mappings live in its attributes). */
  asset: CatalogEntity;
  deviceId: string;
  issuedAt: number;
  /** min(requested, the grant's end, one hour). */
  expiresAt: number;
  bundleHash: string;
}

/**
 * Whether the caller may have a credential for `target` now, and until when. Credentials are
 * issued per grant and device (issue 6): the caller needs an enrolled, active device (the DPoP key
 * of this very call), an active grant of theirs that covers the target (the grant names the asset,
 * or names a Role the asset lists in its catalog `roles`), and an `allow` from the policy in force
 * with the full context (posture, key touch, network, grants). Throws a BrokerError whose message
 * says what is missing; the route audits the refusal.
 */
export async function authorizeIssuance(
  deps: Pick<JitDeps, 'store' | 'policy' | 'devices' | 'now' | 'options'>,
  caller: ApiCaller,
  question: IssuanceQuestion,
): Promise<IssuanceDecision> {
  const now = deps.now();
  const bundle = deps.policy.bundle;
  const asset = bundle.catalog.get(uidKey(question.target.type, question.target.id));
  if (asset === undefined || asset.type === 'Role' || asset.type === 'Group')
    throw new BrokerError(
      'not_found',
      `no asset ${question.target.type} "${question.target.id}" in the catalog`,
    );
  const device = caller.device;
  if (device === undefined || device.status !== 'active')
    throw new BrokerError('forbidden', 'credentials are issued only to an enrolled, active device');

  const grant = await coveringGrant(deps, caller, asset, question.grantId, now);
  const decision = bundle.authorize({
    principal: await principalFor(deps.store, bundle, caller.user),
    action: question.action,
    resource: { type: asset.type, id: asset.id },
    context: await contextFor(deps, deps.store, caller.user, {
      thumbprint: caller.thumbprint,
      srcIp: caller.srcIp,
    }),
  });
  if (decision.decision !== 'allow')
    throw new BrokerError(
      'policy_denied',
      `not allowed: ${decision.reasons.join('; ') || 'no policy permits it'}`,
    );

  const grantEnd = grant.expiresAt ?? now;
  const requested = Math.min(question.requestedSeconds ?? MAX_CREDENTIAL_SECONDS, MAX_CREDENTIAL_SECONDS);
  return {
    grant,
    asset,
    deviceId: device.id,
    issuedAt: now,
    expiresAt: Math.min(now + requested * 1000, grantEnd),
    bundleHash: decision.bundleHash,
  };
}

async function coveringGrant(
  deps: Pick<JitDeps, 'store'>,
  caller: ApiCaller,
  asset: CatalogEntity,
  grantId: string | undefined,
  now: number,
): Promise<GrantRecord> {
  const what = `${asset.type} "${asset.id}"`;
  if (grantId !== undefined) {
    const grant = await deps.store.getGrant(grantId);
    // A foreign grant id answers like an unknown one: nobody learns which grants exist.
    if (grant === undefined || grant.userId !== caller.user.id)
      throw new BrokerError('not_found', 'no such grant');
    if (grantStateAt(grant, now) !== 'active')
      throw new BrokerError(
        'grant_ended',
        `grant ${grant.id} is not active (it is ${grantStateAt(grant, now)})`,
      );
    if (!covers(grant, asset)) throw new BrokerError('forbidden', `grant ${grant.id} does not cover ${what}`);
    return grant;
  }
  const candidates = (await deps.store.listGrants(caller.user.id, ['active']))
    .filter((g) => grantStateAt(g, now) === 'active' && covers(g, asset))
    .sort((a, b) => (b.expiresAt ?? 0) - (a.expiresAt ?? 0));
  const best = candidates[0];
  if (best === undefined)
    throw new BrokerError(
      'forbidden',
      `no active grant covers ${what}: request access first (strongroom request)`,
    );
  return best;
}
