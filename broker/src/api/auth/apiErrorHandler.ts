import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { BrokerError } from '../../errors/BrokerError.js';
import { DPOP_ALGS } from './verifyDpopProof.js';

const quoted = (value: string): string => `"${value.replace(/["\\]/g, '')}"`;

/**
 * RFC 6750 §3 / RFC 9449 §7.1: a 401 from the API says how to authenticate in WWW-Authenticate
 * (scheme DPoP, accepted `algs`) and, when credentials were presented, the error. The body is the
 * usual `{ error, error_description }`. Anything else goes on to the broker's error handler.
 */
export function apiErrorHandler(
  error: FastifyError | BrokerError | Error,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  if (error instanceof BrokerError && error.status === 401) {
    const params = [`algs=${quoted(DPOP_ALGS.join(' '))}`];
    if (error.code !== 'unauthorized') {
      params.unshift(`error=${quoted(error.code)}`, `error_description=${quoted(error.message)}`);
    }
    void reply
      .status(401)
      .header('www-authenticate', `DPoP ${params.join(', ')}`)
      .header('cache-control', 'no-store')
      .type('application/json')
      .send(error.toJSON());
    return;
  }
  throw error;
}
