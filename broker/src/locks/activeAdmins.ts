import { ADMIN_ROLE } from '../enrollment/ensureAdminEnrollment.js';
import type { UserRecord } from '../store/records.js';
import type { StoreOps } from '../store/Store.js';

/** Active users with the admin role: who sees alerts and locks on their event stream. */
export async function activeAdmins(
  ops: Pick<StoreOps, 'listUsers' | 'listMemberships'>,
): Promise<UserRecord[]> {
  const admins: UserRecord[] = [];
  for (const user of await ops.listUsers()) {
    if (user.status !== 'active') continue;
    if ((await ops.listMemberships(user.id)).includes(ADMIN_ROLE)) admins.push(user);
  }
  return admins;
}
