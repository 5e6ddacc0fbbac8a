import type { FindAccount } from 'oidc-provider';
import type { Store } from '../store/Store.js';

/**
 * Looks the subject up in the store on every use, so a locked or disabled user can neither sign in
 * nor refresh (oidc-provider rejects a refresh whose account is gone).
 */
export function makeFindAccount(store: Store): FindAccount {
  return async (_ctx, sub) => {
    const user = await store.getUser(sub);
    if (!user || user.status !== 'active') return undefined;
    return {
      accountId: user.id,
      claims: async () => ({
        sub: user.id,
        email: user.email,
        email_verified: true,
        name: user.displayName,
        roles: await store.listMemberships(user.id),
      }),
    };
  };
}
