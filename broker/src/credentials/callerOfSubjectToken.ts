import type Provider from 'oidc-provider';
import type { ApiCaller } from '../api/auth/ApiCaller.js';
import { BrokerError } from '../errors/BrokerError.js';
import type { StoreOps } from '../store/Store.js';

export interface SubjectTokenInput {
  /** The `subject_token` of the exchange. */
  token: string;
  /** The client making the exchange: it must be the client the token was issued to. */
  clientId: string;
  /** Thumbprint of the exchange request's DPoP proof key: it must be the token's `cnf.jkt`. */
  proofThumbprint: string;
  srcIp: string;
  now: number;
}

const refuse = (description: string): BrokerError => new BrokerError('invalid_token', description);

/**
 * Who is exchanging: the subject token must be one of the broker's own live access tokens (not an
 * exchanged one), issued to this client, DPoP-bound to the key that signed this request's proof
 * (so a stolen token cannot be exchanged elsewhere, RFC 9449 §6), of a live session, for an active
 * user. The device is the enrolled one of that key, when it is this user's.
 */
export async function callerOfSubjectToken(
  provider: Provider,
  store: Pick<StoreOps, 'getUser' | 'getDeviceByThumbprint'>,
  input: SubjectTokenInput,
): Promise<ApiCaller> {
  const accessToken = await provider.AccessToken.find(input.token);
  if (!accessToken) throw refuse('subject_token is unknown, revoked or expired');
  if (typeof accessToken.exp !== 'number' || accessToken.exp * 1000 <= input.now)
    throw refuse('subject_token has expired');
  if (accessToken.clientId !== input.clientId) throw refuse('subject_token was issued to another client');
  if (accessToken.aud !== undefined) throw refuse('subject_token is for another audience');
  const jkt = accessToken.jkt;
  if (typeof jkt !== 'string' || jkt === '') throw refuse('subject_token is not DPoP-bound');
  if (jkt !== input.proofThumbprint)
    throw new BrokerError(
      'invalid_dpop_proof',
      'the DPoP proof is not from the key subject_token is bound to',
    );
  const grant = await provider.Grant.find(accessToken.grantId);
  if (!grant || grant.accountId !== accessToken.accountId || grant.clientId !== accessToken.clientId)
    throw refuse('the session of subject_token has ended');
  const user = await store.getUser(accessToken.accountId);
  if (!user) throw refuse('the account of subject_token no longer exists');
  if (user.status !== 'active') throw refuse(`the account is ${user.status}`);
  const found = await store.getDeviceByThumbprint(jkt);
  const device = found?.userId === user.id ? found : undefined;
  return {
    user,
    thumbprint: jkt,
    clientId: input.clientId,
    grantId: accessToken.grantId,
    scopes: new Set((accessToken.scope ?? '').split(' ').filter(Boolean)),
    srcIp: input.srcIp,
    ...(device ? { device } : {}),
  };
}
