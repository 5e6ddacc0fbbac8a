import * as client from 'openid-client';
import { isLoopbackHost } from '../config/checkBrokerUrl.js';
import type { ResolvedProfile } from '../config/resolveProfile.js';
import { classifyOidcError } from './classifyOidcError.js';

/**
 * OpenID Provider discovery for a profile. The client is public and native (RFC 8252 §8.5: no
 * secret), so token requests authenticate with nothing but PKCE and DPoP. Plain http is allowed
 * only for a broker on loopback (the development broker); `checkBrokerUrl` already refused others.
 */
export async function discoverBroker(profile: ResolvedProfile): Promise<client.Configuration> {
  const server = new URL(profile.broker);
  const insecure = server.protocol === 'http:' && isLoopbackHost(server.hostname);
  try {
    return await client.discovery(
      server,
      profile.clientId,
      { token_endpoint_auth_method: 'none' },
      client.None(),
      { execute: insecure ? [client.allowInsecureRequests] : [], timeout: 15 },
    );
  } catch (error) {
    throw classifyOidcError(error, profile.broker);
  }
}
