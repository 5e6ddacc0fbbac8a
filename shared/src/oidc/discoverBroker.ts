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
  let config: client.Configuration;
  try {
    config = await client.discovery(
      server,
      profile.clientId,
      { token_endpoint_auth_method: 'none' },
      client.None(),
      { execute: insecure ? [client.allowInsecureRequests] : [], timeout: 15 },
    );
  } catch (error) {
    throw classifyOidcError(error, profile.broker);
  }
  // OIDC Core §3.1.3.7 lets a client skip the ID token signature when it came straight from the
  // token endpoint over TLS; we do not (the development broker is plain http on loopback, and a
  // signature check is cheap), so a forged or mis-signed ID token is always refused.
  client.enableNonRepudiationChecks(config);
  return config;
}
