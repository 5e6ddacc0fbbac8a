import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A broker stand-in for the benches that run a signed-in agent: discovery, one active grant, no
 * requests, an event stream that stays open. On 127.0.0.1; the issuer is `http://localhost:<port>`.
 */
export function standInBroker(grantId: string = randomUUID()): Promise<{ server: Server; issuer: string }> {
  const now = Date.now();
  const grant = {
    id: grantId,
    requestId: randomUUID(),
    userId: 'bench',
    target: { type: 'Role', id: 'restricted-data-reader' },
    tier: 'restricted',
    durationMinutes: 60,
    state: 'active',
    emergency: false,
    activateBy: now + 3_600_000,
    activatedAt: now,
    expiresAt: now + 3_600_000,
    endedAt: null,
    endReason: null,
  };
  let issuer = '';
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === '/.well-known/openid-configuration')
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        dpop_signing_alg_values_supported: ['ES256'],
      });
    if (path === '/api/v1/grants') return json(200, { grants: [grant] });
    if (path === '/api/v1/requests') return json(200, { requests: [] });
    if (path === '/api/v1/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('retry: 1000\n\n');
      return undefined; // stays open, as the broker's does
    }
    return json(404, { error: 'not_found' });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      issuer = `http://localhost:${String((server.address() as AddressInfo).port)}`;
      resolve({ server, issuer });
    }),
  );
}
