import type { ErrorOut, KoaContextWithOIDC } from 'oidc-provider';
import { PAGE_CSP } from '../http/securityHeaders.js';
import { errorPage } from '../pages/errorPage.js';

/**
 * Errors oidc-provider must show the person instead of redirecting (e.g. an unregistered
 * redirect_uri: RFC 6749 §4.1.2.1 forbids redirecting there). Plain HTML with our CSP.
 */
export function renderProviderError(ctx: KoaContextWithOIDC, out: ErrorOut): void {
  ctx.type = 'html';
  ctx.set('content-security-policy', PAGE_CSP);
  ctx.set('x-content-type-options', 'nosniff');
  ctx.body = errorPage({
    title: 'Sign-in problem',
    message: out.error_description ?? 'The sign-in request could not be processed.',
    hint: 'Start again from your application. If this keeps happening, tell your administrator.',
    code: out.error,
  });
}
