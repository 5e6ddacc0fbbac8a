import { ADMIN_ROLE } from '../enrollment/ensureAdminEnrollment.js';
import type { StoreOps } from '../store/Store.js';

/** Broker administration is the store role `admin` (the one the first enrollment link grants). */
export async function isAdmin(ops: Pick<StoreOps, 'listMemberships'>, userId: string): Promise<boolean> {
  return (await ops.listMemberships(userId)).includes(ADMIN_ROLE);
}
