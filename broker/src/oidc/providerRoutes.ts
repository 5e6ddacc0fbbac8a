/** oidc-provider's endpoint paths; everything under them (and /.well-known/) is handed to it. */
export const PROVIDER_ROUTES = {
  authorization: '/auth',
  token: '/token',
  pushed_authorization_request: '/request',
  jwks: '/jwks',
  userinfo: '/me',
  revocation: '/token/revocation',
  end_session: '/session/end',
} as const;

const prefixes = [...Object.values(PROVIDER_ROUTES), '/.well-known'];

/** True when `url` (path and query) belongs to the OpenID Provider. */
export function isProviderPath(url: string): boolean {
  const path = url.split('?', 1)[0] ?? '';
  return prefixes.some((p) => path === p || path.startsWith(`${p}/`));
}
