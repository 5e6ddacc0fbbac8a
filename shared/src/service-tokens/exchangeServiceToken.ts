import * as client from 'openid-client';
import type { ResolvedProfile } from '../config/resolveProfile.js';
import { loadDeviceKey } from '../device/loadDeviceKey.js';
import { deviceDpopHandle } from '../oidc/deviceDpopHandle.js';
import { StrongroomError } from '../errors/StrongroomError.js';
import { classifyOidcError } from '../oidc/classifyOidcError.js';
import { discoverBroker } from '../oidc/discoverBroker.js';
import type { HostContext } from '../session/HostContext.js';
import { getAccessToken } from '../session/getAccessToken.js';
import type { CredentialStore } from '../vault/CredentialStore.js';
import type { ServiceToken } from './ServiceToken.js';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** RFC 8693 §2.2.2 / RFC 6749 §5.2 codes that mean "no token for you", not "the broker is broken". */
const REFUSALS = new Set(['invalid_target', 'invalid_request', 'invalid_dpop_proof']);

/**
 * Trades this device's DPoP-bound access token for a token for one service (RFC 8693 token
 * exchange at the broker's token endpoint, with a DPoP proof from the device key). The broker
 * picks the covering grant unless `grantId` names one. A refusal (no grant covers the service, the
 * grant ended, policy said no) is a `denied` error carrying the broker's reason.
 */
export async function exchangeServiceToken(
  context: { host: HostContext; profile: ResolvedProfile; store: CredentialStore },
  request: { audience: string; grantId?: string },
): Promise<ServiceToken> {
  const { host, profile, store } = context;
  const { accessToken } = await getAccessToken(context);
  const [config, key] = await Promise.all([discoverBroker(profile), loadDeviceKey(store, profile.name)]);
  const issuedAt = host.now();
  let response: Awaited<ReturnType<typeof client.genericGrantRequest>>;
  try {
    response = await client.genericGrantRequest(
      config,
      TOKEN_EXCHANGE,
      {
        subject_token: accessToken,
        subject_token_type: ACCESS_TOKEN_TYPE,
        audience: request.audience,
        ...(request.grantId === undefined ? {} : { grant_id: request.grantId }),
      },
      { DPoP: await deviceDpopHandle(config, key) },
    );
  } catch (error) {
    const code = (error as { error?: unknown }).error;
    if (typeof code === 'string' && REFUSALS.has(code)) {
      const description = (error as { error_description?: unknown }).error_description;
      throw new StrongroomError(
        'denied',
        `The broker will not issue a token for ${request.audience}: ${typeof description === 'string' ? description : code}.`,
        {
          cause: error,
          hint: 'Check your grants (`strongroom grants`); ask for access with `strongroom request`.',
        },
      );
    }
    throw classifyOidcError(error, profile.broker);
  }
  const body = response as unknown as Record<string, unknown>;
  const tokenType = String(body['token_type'] ?? '').toLowerCase();
  const expiresIn = body['expires_in'];
  if (
    typeof body['access_token'] !== 'string' ||
    typeof body['grant_id'] !== 'string' ||
    typeof expiresIn !== 'number' ||
    (tokenType !== 'dpop' && tokenType !== 'bearer')
  )
    throw new StrongroomError(
      'broker_error',
      'The broker answered the token exchange with something unexpected.',
    );
  return {
    token: body['access_token'],
    tokenType: tokenType === 'dpop' ? 'DPoP' : 'Bearer',
    audience: typeof body['audience'] === 'string' ? body['audience'] : request.audience,
    expiresAt: issuedAt + expiresIn * 1000,
    grantId: body['grant_id'],
  };
}
