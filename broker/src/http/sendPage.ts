import type { FastifyReply } from 'fastify';
import { BrokerError } from '../errors/BrokerError.js';
import { errorPage } from '../pages/errorPage.js';

export function sendPage(reply: FastifyReply, html: string, status = 200): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').send(html);
}

/** Shows an error to a person as a page; internal failures are not described. */
export function sendErrorPage(reply: FastifyReply, error: unknown, title: string): FastifyReply {
  if (error instanceof BrokerError && error.expose) {
    return sendPage(reply, errorPage({ title, message: error.message, code: error.code }), error.status);
  }
  reply.log.error({ err: error }, 'page failed');
  return sendPage(
    reply,
    errorPage({ title, message: 'Something went wrong on our side.', code: 'internal' }),
    500,
  );
}
