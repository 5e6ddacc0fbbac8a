import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';

/**
 * A software FIDO2 authenticator for in-process tests that must craft assertions a browser would
 * never produce (wrong origin, wrong RP ID, missing UV, stale counter). Real P-256 ECDSA, real
 * WebAuthn byte layouts (WebAuthn L3 §6.1 authenticator data, §5.8.1 client data).
 */
export interface SoftAuthenticator {
  credentialId: string;
  /** COSE_Key (RFC 9053 §7.1.1, EC2 P-256) as the broker stores it. */
  cosePublicKey: Uint8Array;
  assert(opts: {
    challenge: string;
    origin: string;
    rpId: string;
    counter: number;
    userVerified?: boolean;
    type?: string;
  }): AuthenticationResponseJSON;
}

const b64url = (bytes: Uint8Array | Buffer): string => Buffer.from(bytes).toString('base64url');

export function makeSoftAuthenticator(): SoftAuthenticator {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const cosePublicKey = isoCBOR.encode(
    new Map<number, number | Uint8Array>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, Buffer.from(jwk.x ?? '', 'base64url')],
      [-3, Buffer.from(jwk.y ?? '', 'base64url')],
    ]),
  );
  const credentialId = b64url(randomBytes(16));
  return {
    credentialId,
    cosePublicKey,
    assert(opts) {
      const clientDataJSON = Buffer.from(
        JSON.stringify({
          type: opts.type ?? 'webauthn.get',
          challenge: opts.challenge,
          origin: opts.origin,
          crossOrigin: false,
        }),
      );
      const flags = 0x01 | (opts.userVerified === false ? 0 : 0x04); // UP | UV
      const counter = Buffer.alloc(4);
      counter.writeUInt32BE(opts.counter);
      const authData = Buffer.concat([
        createHash('sha256').update(opts.rpId).digest(),
        Buffer.from([flags]),
        counter,
      ]);
      const signature = signAssertion(privateKey, authData, clientDataJSON);
      return {
        id: credentialId,
        rawId: credentialId,
        type: 'public-key',
        clientExtensionResults: {},
        response: {
          clientDataJSON: b64url(clientDataJSON),
          authenticatorData: b64url(authData),
          signature: b64url(signature),
        },
      };
    },
  };
}

function signAssertion(key: KeyObject, authData: Buffer, clientDataJSON: Buffer): Buffer {
  // WebAuthn L3 §6.3.3 step 11: sign authenticatorData || SHA-256(clientDataJSON), DER ECDSA.
  const hash = createHash('sha256').update(clientDataJSON).digest();
  return sign('sha256', Buffer.concat([authData, hash]), key);
}
