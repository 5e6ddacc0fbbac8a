import type { ApiCaller } from '../api/auth/ApiCaller.js';
import { apiAuditEvent } from '../api/apiAuditEvent.js';
import { auditRefusal } from '../api/auditRefusal.js';
import { BrokerError } from '../errors/BrokerError.js';
import type { Store } from '../store/Store.js';
import { isAdmin } from './isAdmin.js';

/**
 * Lets admins through; anyone else is refused with `forbidden`, and the attempt is audited (a
 * non-admin trying an admin action is exactly what an investigator looks for).
 */
export async function requireAdmin(
  deps: { store: Store; now: () => number },
  caller: ApiCaller,
  action: { name: string; what: string; data?: Record<string, unknown> },
): Promise<void> {
  if (await isAdmin(deps.store, caller.user.id)) return;
  await auditRefusal(
    deps.store,
    apiAuditEvent('api', {
      name: action.name,
      outcome: 'failure',
      actor: { kind: 'user', userId: caller.user.id, email: caller.user.email },
      time: deps.now(),
      srcIp: caller.srcIp,
      method: 'POST',
      data: { ...action.data, reason: 'not_admin' },
    }),
    new BrokerError('forbidden', `${action.what} needs the admin role`),
  );
}
