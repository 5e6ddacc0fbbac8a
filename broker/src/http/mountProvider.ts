import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';
import { isProviderPath } from '../oidc/providerRoutes.js';
import { PAGE_CSP } from './securityHeaders.js';

/**
 * Hands the OpenID Provider's paths to oidc-provider's own (Koa) request handler, with the raw
 * Node request and response, before Fastify parses the body: oidc-provider reads and validates
 * its bodies itself. Everything else stays with Fastify.
 */
export function mountProvider(app: FastifyInstance, provider: Provider): void {
  const handle = provider.callback();
  app.addHook('onRequest', (request, reply, done) => {
    if (!isProviderPath(request.url)) {
      done();
      return;
    }
    reply.hijack();
    // Fastify's onSend hooks (securityHeaders.ts) never see a hijacked reply: the same headers go on
    // the raw response, so oidc-provider's HTML (form_post, logout) is framed by our CSP too. Its
    // form_post adds its inline script's hash to script-src itself; pages of ours set their own.
    const raw = reply.raw;
    raw.setHeader('content-security-policy', PAGE_CSP);
    raw.setHeader('x-content-type-options', 'nosniff');
    raw.setHeader('x-frame-options', 'DENY');
    raw.setHeader('referrer-policy', 'no-referrer');
    void handle(request.raw, raw);
  });
}
