import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';

type ProviderMiddleware = Parameters<Provider['use']>[0];

/**
 * Adds `refresh_token_expires_in` (seconds) to every successful token response that carries a
 * refresh token. Not in RFC 6749 §5.1, but the response may carry extra members, and several
 * providers use this name; it is the same value the refresh token's TTL was set from, so the client
 * learns the absolute session end even when it does not read the ID token's `session_exp`.
 */
export function announceSessionEnd(refreshTokenTtl: (ctx: KoaContextWithOIDC) => number): ProviderMiddleware {
  return async (ctx, next) => {
    await next();
    const octx = ctx as KoaContextWithOIDC;
    if (octx.oidc?.route !== 'token' || ctx.status !== 200) return;
    const body: unknown = ctx.body;
    if (typeof body !== 'object' || body === null || !('refresh_token' in body)) return;
    ctx.body = { ...body, refresh_token_expires_in: refreshTokenTtl(octx) };
  };
}
