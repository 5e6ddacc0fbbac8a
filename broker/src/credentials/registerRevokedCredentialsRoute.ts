import type { FastifyInstance } from 'fastify';
import {
  DENYLIST_KINDS,
  revokedCredentialsQuerySchema,
  type RevokedCredentialsResponse,
} from '@strongroom/shared/protocol/revokedCredentialsApi.js';
import { BrokerError } from '../errors/BrokerError.js';
import type { Store } from '../store/Store.js';

export const REVOKED_CREDENTIALS_PATH = '/api/v1/credentials/revoked';

/**
 * `GET /api/v1/credentials/revoked[?kind=service-token&kind=git-token…]`: the token denylist
 * (issue 6, item 6) that resource services poll (shared/src/service-auth). Public, like a CRL or
 * the SSH KRL: services have no user session, and it lists only random token ids and when they
 * expire (never who held them). An entry stays until its token expires; after that `exp` refuses
 * the token anyway. Registered outside the authenticated `/api/v1` plugin.
 */
export function registerRevokedCredentialsRoute(
  app: FastifyInstance,
  deps: { store: Pick<Store, 'listRevokedCredentials'>; now: () => number },
): void {
  app.get(REVOKED_CREDENTIALS_PATH, async (request, reply) => {
    const parsed = revokedCredentialsQuerySchema.safeParse(request.query);
    if (!parsed.success)
      throw new BrokerError('invalid_request', `kind must be one of ${DENYLIST_KINDS.join(', ')}`);
    const asked = parsed.data.kind;
    const kinds =
      asked === undefined ? DENYLIST_KINDS : typeof asked === 'string' ? [asked] : [...new Set(asked)];
    const now = deps.now();
    const revoked: RevokedCredentialsResponse['revoked'] = [];
    for (const kind of kinds) {
      for (const record of await deps.store.listRevokedCredentials(kind, now))
        revoked.push({ id: record.id, kind, expiresAt: record.expiresAt });
    }
    void reply.header('cache-control', 'no-store');
    const body: RevokedCredentialsResponse = { generatedAt: now, revoked };
    return body;
  });
}
