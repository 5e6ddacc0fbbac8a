import type { DeviceContext } from '../api/posture/deviceContextFor.js';
import { uidKey } from '../policy/collectPolicyReads.js';
import type { PolicyBundle } from '../policy/PolicyBundle.js';
import type { UserRecord } from '../store/records.js';
import type { StoreOps } from '../store/Store.js';
import { grantStateAt } from './grantStateAt.js';
import type { JitDeps } from './JitDeps.js';

export interface PolicyPrincipal {
  id: string;
  roles: string[];
  groups: string[];
  attrs: { email: string };
}

/**
 * The user as policy sees them: store memberships, each filed as a Group when the bundle's catalog
 * has a Group of that name and as a Role otherwise (RBAC lives in the store, ARCHITECTURE.md).
 */
export async function principalFor(
  ops: Pick<StoreOps, 'listMemberships'>,
  bundle: PolicyBundle,
  user: UserRecord,
): Promise<PolicyPrincipal> {
  const roles: string[] = [];
  const groups: string[] = [];
  for (const name of await ops.listMemberships(user.id)) {
    (bundle.catalog.has(uidKey('Group', name)) ? groups : roles).push(name);
  }
  return { id: user.id, roles, groups, attrs: { email: user.email } };
}

export interface ContextSource {
  /** The caller's device key thumbprint (DPoP `jkt`), when the question is about the caller. */
  thumbprint?: string;
  srcIp: string;
  /** Set when the caller has just touched their key for this very act (an approval assertion). */
  keyTouchedAt?: number;
}

const SECONDS_PER_DAY = 86_400;

/**
 * `context` for a decision about `user` (schema.cedarschema, RequestContext), from stored facts
 * only: device posture (deviceContextFor), the last hardware-key touch (credentials' last use:
 * every broker login and approval is a WebAuthn assertion with UV, RFC 8176 `hwk`), the source
 * network, the time (UTC: users have no stored zone yet) and the grants in force now, computed
 * from stored times (grantStateAt).
 */
export async function contextFor(
  deps: Pick<JitDeps, 'devices' | 'now' | 'options'>,
  ops: Pick<StoreOps, 'listCredentials' | 'listGrants'>,
  user: UserRecord,
  source: ContextSource,
): Promise<Record<string, unknown>> {
  const now = deps.now();
  const device: DeviceContext =
    source.thumbprint === undefined
      ? await deps.devices.deviceContextFor(user.id, '')
      : await deps.devices.deviceContextForKey(user.id, source.thumbprint);
  const credentials = await ops.listCredentials(user.id);
  const lastTouch = Math.max(source.keyTouchedAt ?? 0, ...credentials.map((c) => c.lastUsedAt ?? 0));
  const ageSeconds =
    lastTouch > 0 ? Math.max(0, Math.floor((now - lastTouch) / 1000)) : 365 * SECONDS_PER_DAY;
  const roles: string[] = [];
  const assets: string[] = [];
  for (const grant of await ops.listGrants(user.id, ['active'])) {
    if (grantStateAt(grant, now) !== 'active') continue;
    if (grant.target.type === 'Role') roles.push(grant.target.id);
    else assets.push(`${grant.target.type}::${grant.target.id}`);
  }
  const date = new Date(now);
  const family = source.srcIp.includes(':') ? 'ipv6' : 'ipv4';
  const sourceIp = source.srcIp.startsWith('::ffff:') ? source.srcIp.slice(7) : source.srcIp;
  return {
    device: { ...device },
    mfa: { method: credentials.length > 0 ? 'hwk' : 'none', ageSeconds: Math.min(ageSeconds, 2_147_483_647) },
    network: {
      sourceIp,
      trusted: deps.options.trusted.check(sourceIp, sourceIp.includes(':') ? 'ipv6' : family),
    },
    time: { hour: date.getUTCHours(), weekday: ((date.getUTCDay() + 6) % 7) + 1 },
    grants: { roles, assets },
  };
}
