import type { FastifyRequest } from 'fastify';

/** Paths whose last segment is a bearer secret: one-time enrollment and approval links. */
const SECRET_PATH = /^\/(enroll|approve)\/[^/?#]+/;

/**
 * A request URL as the broker's log may show it: one-time link tokens replaced, the query left
 * out (authorization requests, `id_token_hint`, …). With the log at `info`, Fastify logs every
 * request's URL; an enrollment link in a log would let whoever reads it enroll a key as the
 * invited person (or as the first admin).
 */
export function loggedUrl(url: string): string {
  const cut = url.search(/[?#]/);
  const path = cut < 0 ? url : url.slice(0, cut);
  return `${path.replace(SECRET_PATH, '/$1/[redacted]')}${cut < 0 ? '' : '?[redacted]'}`;
}

/** Fastify's `req` log serializer with the URL through loggedUrl; no headers (tokens, cookies). */
export function loggedRequest(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: loggedUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
  };
}
