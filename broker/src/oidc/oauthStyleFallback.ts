import type Provider from 'oidc-provider';

type ProviderMiddleware = Parameters<Provider['use']>[0];

/**
 * oidc-provider answers its own errors as `{error, error_description}`, but Koa's defaults (an
 * unknown path or method under a provider route, an unexpected throw) are plain text. This outermost
 * middleware gives those the same OAuth-style JSON body (RFC 6749 §5.2 shape) as everything else.
 */
export function oauthStyleFallback(): ProviderMiddleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (cause) {
      ctx.app.emit('error', cause, ctx);
      ctx.status = 500;
      ctx.body = { error: 'server_error', error_description: 'internal error' };
      return;
    }
    if (ctx.status === 404 && (ctx.body === undefined || ctx.body === null || typeof ctx.body === 'string')) {
      ctx.status = 404;
      ctx.body = { error: 'not_found', error_description: 'no such endpoint or method' };
    }
  };
}
