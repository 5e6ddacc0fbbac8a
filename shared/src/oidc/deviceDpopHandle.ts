import * as client from 'openid-client';
import type { DeviceKey, SoftwareDeviceKey } from '../device/DeviceKey.js';

const isSoftware = (key: DeviceKey): key is SoftwareDeviceKey =>
  key.protection === 'software' && 'keyPair' in key;

/**
 * openid-client's DPoP handle (RFC 9449) for any device key. A software key hands openid-client
 * its WebCrypto pair. A hardware key has no CryptoKey, and openid-client only signs with one, so:
 * openid-client still builds every proof (htm, htu, iat, jti, ath and the server's nonce, with its
 * nonce cache and `use_dpop_nonce` retry), with the device key's public JWK put in the header by
 * `modifyAssertion`, and this configuration's fetch replaces the proof's signature with one by
 * `DeviceKey.sign` before the request leaves. The stand-in key's signature never leaves the process.
 * Mutates `config` (its fetch); each caller gets its own configuration from discoverBroker.
 */
export async function deviceDpopHandle(
  config: client.Configuration,
  key: DeviceKey,
): Promise<client.DPoPHandle> {
  if (isSoftware(key)) return client.getDPoPHandle(config, key.keyPair);
  const standIn = await client.randomDPoPKeyPair('ES256');
  const handle = client.getDPoPHandle(config, standIn, {
    [client.modifyAssertion]: (header: Record<string, unknown>) => {
      header['jwk'] = { ...key.publicJwk };
    },
  });
  const inner = config[client.customFetch] ?? fetch;
  config[client.customFetch] = async (url, options) => {
    const headers = options.headers;
    const proof = headers['dpop'];
    if (proof !== undefined) {
      // Sign exactly the header and payload openid-client made (ES256, our JWK), with the device key.
      const input = proof.slice(0, proof.lastIndexOf('.'));
      const signature = Buffer.from(await key.sign(new TextEncoder().encode(input))).toString('base64url');
      return inner(url, { ...options, headers: { ...headers, dpop: `${input}.${signature}` } });
    }
    return inner(url, options);
  };
  return handle;
}
