import type { ServiceToken } from './ServiceToken.js';

/**
 * A Kubernetes client-go credential plugin answer (client.authentication.k8s.io/v1 ExecCredential):
 * kubectl sends `status.token` as a bearer token and asks again after `expirationTimestamp`
 * (RFC 3339), so the plugin is called once per token, not per request.
 */
export interface ExecCredential {
  apiVersion: 'client.authentication.k8s.io/v1';
  kind: 'ExecCredential';
  status: { token: string; expirationTimestamp: string };
}

export function execCredentialFor(token: ServiceToken): ExecCredential {
  return {
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    // Whole seconds: what kubectl's RFC 3339 parser and people reading it expect.
    status: {
      token: token.token,
      expirationTimestamp: new Date(Math.floor(token.expiresAt / 1000) * 1000)
        .toISOString()
        .replace('.000Z', 'Z'),
    },
  };
}
