import type { FastifyError, FastifyInstance } from 'fastify';
import { BrokerError } from '../errors/BrokerError.js';

/**
 * Maps every error to the OAuth-style body (RFC 6749 §5.2 shape) once, at the HTTP boundary.
 * Fastify's own parser errors (bad JSON, wrong content type, body too large) keep their 4xx status
 * and become `invalid_request`; their messages name the problem, never the body's content.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | BrokerError | Error, request, reply) => {
    if (error instanceof BrokerError) {
      if (error.status >= 500) request.log.error({ err: error }, 'request failed');
      return reply.status(error.status).type('application/json').send(error.toJSON());
    }
    const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status >= 400 && status < 500) {
      return reply
        .status(status)
        .type('application/json')
        .send({ error: 'invalid_request', error_description: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply
      .status(500)
      .type('application/json')
      .send({ error: 'server_error', error_description: 'internal error' });
  });
  app.setNotFoundHandler((_request, reply) =>
    reply
      .status(404)
      .type('application/json')
      .send({ error: 'not_found', error_description: 'no such endpoint' }),
  );
}
