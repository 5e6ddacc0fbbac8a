import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { BrokerError } from '../../errors/BrokerError.js';
import type { ApiDeps } from '../ApiDeps.js';
import { setApiCaller, type ApiCaller } from './ApiCaller.js';
import { verifyDpopProof } from './verifyDpopProof.js';

const tokenChars = /^[A-Za-z0-9\-._~+/]+=*$/; // RFC 6750 §2.1 b64token

const invalidToken = (description: string): BrokerError => new BrokerError('invalid_token', description);

function credentialsOf(request: FastifyRequest): { token: string; proof: string } {
  const authorization = request.headers.authorization;
  if (authorization === undefined || authorization === '')
    throw new BrokerError('unauthorized', 'this API needs a DPoP-bound access token');
  const space = authorization.indexOf(' ');
  const scheme = authorization.slice(0, space).toLowerCase();
  const token = authorization.slice(space + 1).trim();
  if (space < 0 || !tokenChars.test(token) || token.length > 4096)
    throw invalidToken('malformed Authorization header');
  // RFC 9449 §7.2: a DPoP-bound token presented as a Bearer token is refused. The broker only issues
  // DPoP-bound tokens to its clients, so the Bearer scheme is refused outright.
  if (scheme === 'bearer') throw invalidToken('this API accepts only DPoP-bound tokens (scheme DPoP)');
  if (scheme !== 'dpop') throw invalidToken('unsupported authorization scheme');
  const proof = request.headers.dpop;
  if (typeof proof !== 'string' || proof === '')
    throw new BrokerError('invalid_dpop_proof', 'a DPoP proof is required with a DPoP token');
  return { token, proof };
}

/**
 * The resource-server half of the broker (it is AS and RS in one process): looks the access token
 * up through oidc-provider, checks expiry, that it is DPoP-bound, that the grant and user are still
 * live, then the DPoP proof (RFC 9449 §4.3, §7.1) including `ath` and the key binding (`cnf.jkt`),
 * and records the proof's `jti` so it is single use (§11.1) across broker instances.
 */
export async function authenticateApiRequest(deps: ApiDeps, request: FastifyRequest): Promise<ApiCaller> {
  const { token, proof } = credentialsOf(request);
  const now = deps.now();
  const accessToken = await deps.provider.AccessToken.find(token);
  if (!accessToken) throw invalidToken('access token is unknown, revoked or expired');
  if (typeof accessToken.exp !== 'number' || accessToken.exp * 1000 <= now)
    throw invalidToken('access token has expired');
  // A token minted for another resource (RFC 8707 `resource`, RFC 8693 exchange) is not for us.
  if (accessToken.aud !== undefined) throw invalidToken('access token is for another audience');
  const jkt = accessToken.jkt;
  if (typeof jkt !== 'string' || jkt === '') throw invalidToken('access token is not DPoP-bound');
  const grant = await deps.provider.Grant.find(accessToken.grantId);
  if (!grant || grant.accountId !== accessToken.accountId || grant.clientId !== accessToken.clientId)
    throw invalidToken('the session of this access token has ended');

  const verified = await verifyDpopProof({
    proof,
    method: request.method,
    url: new URL(request.url, deps.origin),
    accessToken: token,
    iatWindowSeconds: deps.options.dpopIatWindowSeconds,
    now: deps.now,
  });
  if (verified.thumbprint !== jkt)
    throw new BrokerError('invalid_dpop_proof', 'DPoP proof key is not the key this token is bound to');

  const user = await deps.store.getUser(accessToken.accountId);
  if (!user) throw invalidToken('the account of this access token no longer exists');
  if (user.status !== 'active') throw invalidToken(`the account is ${user.status}`);
  // A locked, removed or replaced device is cut off everywhere at once (ARCHITECTURE.md: a lock
  // "revokes everything"), even while its tokens have time left: they are bound to its key.
  const found = await deps.store.getDeviceByThumbprint(jkt);
  const device = found?.userId === user.id ? found : undefined;
  if (device && (device.status === 'locked' || device.status === 'removed' || device.status === 'replaced'))
    throw invalidToken(`this device is ${device.status}`);

  // Last, so only a proof that passed every other check can use up its jti.
  const jtiHash = createHash('sha256').update(`${jkt}:${verified.jti}`).digest('base64url');
  const expiresAt = (verified.iat + deps.options.dpopIatWindowSeconds) * 1000 + 1000;
  if (!(await deps.store.recordProofJti(jtiHash, Math.max(expiresAt, now + 1000), now)))
    throw new BrokerError('invalid_dpop_proof', 'DPoP proof has already been used (jti replay)');

  const caller: ApiCaller = {
    user,
    thumbprint: jkt,
    clientId: accessToken.clientId ?? '',
    grantId: accessToken.grantId,
    scopes: new Set((accessToken.scope ?? '').split(' ').filter(Boolean)),
    srcIp: request.ip,
    ...(device ? { device } : {}),
  };
  setApiCaller(request, caller);
  return caller;
}
