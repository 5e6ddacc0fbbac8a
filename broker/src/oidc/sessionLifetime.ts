import type { KoaContextWithOIDC } from 'oidc-provider';

/**
 * TTL functions that bound everything by one absolute session lifetime counted from the key touch
 * (auth_time), not from the last use: refreshing, rotating or SSO never extends a session past it.
 */
export interface SessionLifetime {
  accessToken(ctx: KoaContextWithOIDC): number;
  refreshToken(ctx: KoaContextWithOIDC): number;
  session(loginTs: number | undefined): number;
  /**
   * The absolute end of the session the request belongs to, in epoch seconds (auth_time + the
   * configured lifetime), or undefined when the request carries no authentication time. Announced
   * to clients as the ID token's `session_exp` claim, so `strongroom status` shows the real end.
   */
  sessionEnd(ctx: KoaContextWithOIDC, authTime?: number): number | undefined;
}

interface AuthTimeHolder {
  authTime?: number | undefined;
}

function authTimeOf(ctx: KoaContextWithOIDC): number | undefined {
  const entities = ctx?.oidc?.entities as Record<string, AuthTimeHolder | undefined> | undefined;
  return (
    entities?.['RefreshToken']?.authTime ??
    entities?.['AuthorizationCode']?.authTime ??
    (entities?.['Session'] as { loginTs?: number } | undefined)?.loginTs
  );
}

export function makeSessionLifetime(opts: {
  accessTokenTtlSeconds: number;
  sessionTtlSeconds: number;
  now: () => number;
}): SessionLifetime {
  const remaining = (since: number | undefined): number => {
    const nowSeconds = Math.floor(opts.now() / 1000);
    const left = since === undefined ? opts.sessionTtlSeconds : since + opts.sessionTtlSeconds - nowSeconds;
    // oidc-provider needs a positive integer; an exhausted session gets a token that is born expired.
    return Math.max(1, left);
  };
  return {
    accessToken: (ctx) => Math.min(opts.accessTokenTtlSeconds, remaining(authTimeOf(ctx))),
    refreshToken: (ctx) => remaining(authTimeOf(ctx)),
    session: (loginTs) => remaining(loginTs),
    sessionEnd: (ctx, authTime) => {
      const since = authTime ?? authTimeOf(ctx);
      return since === undefined ? undefined : since + opts.sessionTtlSeconds;
    },
  };
}
