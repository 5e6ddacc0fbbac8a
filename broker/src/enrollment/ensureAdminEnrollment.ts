import type { Store } from '../store/Store.js';
import { createEnrollmentLink } from './createEnrollmentLink.js';

export const ADMIN_ROLE = 'admin';

/**
 * First start (no active admin yet): mint a one-time admin enrollment link. Each start without an
 * admin mints a fresh one; older links still expire on their own.
 */
export async function ensureAdminEnrollment(
  store: Store,
  opts: { issuer: string; adminEmail: string; ttlSeconds: number; now: number },
): Promise<{ url: string; expiresAt: number } | undefined> {
  for (const user of await store.listUsers()) {
    if (user.status === 'active' && (await store.listMemberships(user.id)).includes(ADMIN_ROLE))
      return undefined;
  }
  await store.upsertRole({ name: ADMIN_ROLE, description: 'Administers users, roles and the broker' });
  return createEnrollmentLink(store, {
    issuer: opts.issuer,
    email: opts.adminEmail,
    roles: [ADMIN_ROLE],
    kind: 'admin-bootstrap',
    createdBy: { kind: 'broker' },
    ttlSeconds: opts.ttlSeconds,
    now: opts.now,
  });
}
