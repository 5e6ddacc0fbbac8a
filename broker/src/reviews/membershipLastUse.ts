import { PAGES_CLIENT_ID } from '../admin/pageSession.js';
import type { AuditRecord } from '../audit/AuditEvent.js';
import { ADMIN_ROLE } from '../enrollment/ensureAdminEnrollment.js';
import { uidKey } from '../policy/collectPolicyReads.js';
import { makePolicyContext } from '../policy/makePolicyContext.js';
import type { PolicyBundle } from '../policy/PolicyBundle.js';
import type { Store } from '../store/Store.js';

const key = (userId: string, role: string): string => `${userId}\u0000${role}`;

interface Act {
  action: string;
  resource: { type: string; id: string };
}

function targetOf(value: unknown): { type: string; id: string } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { type, id } = value as Record<string, unknown>;
  return typeof type === 'string' && typeof id === 'string' ? { type, id } : undefined;
}

/** An admin action, or a sign-in to the admin pages. */
const adminUse = (r: AuditRecord): boolean =>
  r.actor.kind === 'admin' || (r.activity === 'login' && r.data?.['clientId'] === PAGES_CLIENT_ID);

/** What a successful record shows its actor doing that policy decides by membership. */
function actOf(r: AuditRecord): Act | undefined {
  const d = r.data ?? {};
  switch (r.activity) {
    case 'jit.approve':
    case 'jit.deny': {
      const resource = targetOf(d['target']);
      return resource && { action: 'approve', resource };
    }
    case 'jit.request':
    case 'jit.breakglass': {
      const resource = targetOf(d['target']);
      return resource && { action: 'request', resource };
    }
    case 'authorize': {
      const resource = targetOf(d['resource']);
      return resource &&
        typeof d['action'] === 'string' &&
        d['principal'] === r.actor.userId &&
        d['decision'] === 'allow'
        ? { action: d['action'], resource }
        : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * When each standing membership was last used, from the audit log. A membership counts as used by
 * a successful record of its member when (a) it is `admin` and the record is an admin action or a
 * sign-in to the admin pages, or
 * (b) the record is a request, approval, denial or allowed decision that policy allows with that
 * membership alone (Cedar, in a context where every posture and key fact passes: the question is
 * whether the role grants the act at all, not whether the moment's device did). Reads the whole
 * log once, in pages; a campaign starts rarely.
 */
export async function membershipLastUse(
  store: Pick<Store, 'readAudit' | 'auditHead'>,
  bundle: PolicyBundle,
  memberships: ReadonlyMap<string, readonly string[]>,
): Promise<Map<string, number>> {
  const last = new Map<string, number>();
  const grants = new Map<string, boolean>();
  const context = makePolicyContext();
  const roleGrants = (role: string, act: Act): boolean => {
    const k = `${role}\u0000${act.action}\u0000${act.resource.type}\u0000${act.resource.id}`;
    let allowed = grants.get(k);
    if (allowed === undefined) {
      const group = bundle.catalog.has(uidKey('Group', role));
      // When the question cannot be answered (a bundle whose schema wants another context, or a
      // decision with errors), the act counts as use: a review must not flag, and a deadline must
      // not remove, a membership only because this check could not tell.
      try {
        const decision = bundle.authorize({
          principal: {
            id: 'membership-review',
            roles: group ? [] : [role],
            groups: group ? [role] : [],
            attrs: { email: '' },
          },
          action: act.action,
          resource: act.resource,
          context,
        });
        allowed = decision.decision === 'allow' || decision.errors.length > 0;
      } catch {
        allowed = true;
      }
      grants.set(k, allowed);
    }
    return allowed;
  };
  const head = await store.auditHead();
  for (let from = 1; from <= head.seq; from += 2000) {
    for (const r of await store.readAudit(from, Math.min(2000, head.seq - from + 1))) {
      const userId = r.actor.userId;
      if (r.statusId !== 1 || userId === undefined) continue;
      const roles = memberships.get(userId);
      if (!roles) continue;
      const act = actOf(r);
      for (const role of roles) {
        const used = role === ADMIN_ROLE ? adminUse(r) : act !== undefined && roleGrants(role, act);
        if (used) last.set(key(userId, role), r.time);
      }
    }
  }
  return last;
}

export const membershipKey = key;
