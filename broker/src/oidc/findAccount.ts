import type { FindAccount, KoaContextWithOIDC } from 'oidc-provider';
import type { Store } from '../store/Store.js';

/** The ID token claim that carries the absolute end of the session (epoch seconds). */
export const SESSION_END_CLAIM = 'session_exp';

/** Whether `roles` is in the token's scope or named in the claims request for this use (OIDC Core §5.5). */
function mayReturnRoles(scope: string, requested: object | undefined): boolean {
  return scope.split(' ').includes('roles') || (requested !== undefined && Object.hasOwn(requested, 'roles'));
}

/**
 * Looks the subject up in the store on every use, so a locked or disabled user can neither sign in
 * nor refresh (oidc-provider rejects a refresh whose account is gone).
 *
 * `sessionEnd` adds `session_exp` to ID tokens only: OIDC Core has no claim for the end of the
 * session, and a client that guesses it shows the wrong time. Inside the signed ID token the client
 * can verify it like `auth_time` (OIDC Core §2); the code or refresh token oidc-provider passes as
 * `token` carries the auth_time the session is counted from.
 */
export function makeFindAccount(
  store: Store,
  sessionEnd: (ctx: KoaContextWithOIDC, authTime: number | undefined) => number | undefined = () => undefined,
): FindAccount {
  return async (ctx, sub, token) => {
    const user = await store.getUser(sub);
    if (!user || user.status !== 'active') return undefined;
    const authTime = (token as { authTime?: unknown } | undefined)?.authTime;
    const end = sessionEnd(ctx, typeof authTime === 'number' ? authTime : undefined);
    return {
      accountId: user.id,
      claims: async (use, scope, requested) => ({
        sub: user.id,
        email: user.email,
        email_verified: true,
        name: user.displayName,
        // Memberships only when the `roles` claim can be returned (oidc-provider drops it otherwise):
        // the CLI's refresh asks for `openid offline_access email profile`, so this saves a query
        // inside every refresh's store transaction.
        ...(mayReturnRoles(scope, requested) ? { roles: await store.listMemberships(user.id) } : {}),
        ...(use === 'id_token' && end !== undefined ? { [SESSION_END_CLAIM]: end } : {}),
      }),
    };
  };
}
