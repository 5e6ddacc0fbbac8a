import { createHash, randomUUID } from 'node:crypto';
import type { DeviceKey } from '../device/DeviceKey.js';

const b64url = (data: string | Uint8Array): string => Buffer.from(data).toString('base64url');

/**
 * A DPoP proof (RFC 9449 §4.2, §7.1) for one request to a service with a DPoP-bound service token:
 * signed by the device key the token is bound to, for this method and URI (without query and
 * fragment, §4.3), bound to the token by `ath`, with a fresh `jti` and `iat`. Signed through
 * `DeviceKey.sign`, so a hardware key signs it without ever exporting the private half.
 */
export async function serviceDpopProof(
  key: DeviceKey,
  request: { method: string; url: string; accessToken: string; now: number },
): Promise<string> {
  const url = new URL(request.url);
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: { ...key.publicJwk } };
  const payload = {
    jti: randomUUID(),
    htm: request.method.toUpperCase(),
    htu: `${url.origin}${url.pathname}`,
    iat: Math.floor(request.now / 1000),
    ath: createHash('sha256').update(request.accessToken).digest('base64url'),
  };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${b64url(await key.sign(new TextEncoder().encode(input)))}`;
}
