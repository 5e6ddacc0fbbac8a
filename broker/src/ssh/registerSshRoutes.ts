import { sshCertificateRequestSchema } from '@strongroom/shared/protocol/sshApi.js';
import type { FastifyInstance } from 'fastify';
import { apiCallerOf } from '../api/auth/ApiCaller.js';
import { parseBody } from '../http/parseBody.js';
import type { Store } from '../store/Store.js';
import { currentKrl } from './currentKrl.js';
import { issueSshCertificate, type SshCertificateDeps } from './issueSshCertificate.js';
import type { SshCa } from './loadSshCa.js';

/** `POST /credentials/ssh` inside the authenticated `/api/v1` plugin (registerApi's `routes`). */
export function registerSshCredentialRoutes(api: FastifyInstance, deps: SshCertificateDeps): void {
  api.post('/credentials/ssh', async (request) =>
    issueSshCertificate(deps, apiCallerOf(request), parseBody(sshCertificateRequestSchema, request.body)),
  );
}

/**
 * `GET /api/v1/ssh/krl`, on the root app: unauthenticated on purpose. Hosts fetch it on a timer
 * (cron + curl) and have no user, device key or DPoP token to offer; its content is public (random
 * serials of revoked certificates and the CA public key, which every host already has), and a KRL
 * can only take access away. Integrity comes from TLS to the broker. `no-cache`: a host must not
 * keep a stale list.
 */
export function registerSshKrlRoute(
  app: FastifyInstance,
  deps: { store: Store; ca: SshCa; now: () => number },
): void {
  app.get('/api/v1/ssh/krl', async (_request, reply) => {
    const krl = await currentKrl(deps.store, deps.ca, deps.now());
    return reply
      .header('content-type', 'application/octet-stream')
      .header('cache-control', 'no-cache')
      .header('content-disposition', 'attachment; filename="strongroom.krl"')
      .send(krl);
  });
}
