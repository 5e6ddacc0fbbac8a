import type { ClientMetadata } from 'oidc-provider';

export const STRONGROOM_CLI_CLIENT_ID = 'strongroom-cli';

/**
 * The first-party public native client used by the CLI, the VS Code extension and the tray app.
 * RFC 8252 §7.3: a loopback redirect on 127.0.0.1; oidc-provider accepts any port for native
 * clients' loopback redirect URIs. No client secret (a native app cannot keep one, RFC 8252 §8.5),
 * so PKCE S256 and DPoP-bound tokens (RFC 9449 §5.2 `dpop_bound_access_tokens`) are required.
 */
export function strongroomCliClient(): ClientMetadata {
  return {
    client_id: STRONGROOM_CLI_CLIENT_ID,
    client_name: 'Strongroom',
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    redirect_uris: ['http://127.0.0.1/callback'],
    post_logout_redirect_uris: ['http://127.0.0.1/logout'],
    // Token exchange (RFC 8693): the client trades its access token for service tokens.
    grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:token-exchange'],
    response_types: ['code'],
    id_token_signed_response_alg: 'ES256',
    dpop_bound_access_tokens: true,
  };
}
