import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';
import { isProviderPath } from '../oidc/providerRoutes.js';

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
    void handle(request.raw, reply.raw);
  });
}
