import { compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { loadSoftwareDeviceKey } from '../device/loadSoftwareDeviceKey.js';
import { POSTURE_REPORT_TYP, postureAttestationPayloadSchema } from '../protocol/deviceApi.js';
import { createMemoryCredentialStore } from '../vault/createMemoryCredentialStore.js';
import { signPostureReport } from './signPostureReport.js';

describe('signPostureReport', () => {
  it('signs a compact ES256 JWS with kid = device key thumbprint that verifies with the public JWK', async () => {
    const key = await loadSoftwareDeviceKey(createMemoryCredentialStore(), 'default');
    const payload = {
      deviceId: 'd1',
      nonce: 'n'.repeat(43),
      iat: 1_764_000_000,
      platform: 'linux',
      agentVersion: 'strongroom-cli/0.1.0',
      checks: [
        {
          id: 'firewall' as const,
          title: 'Firewall',
          status: 'unknown' as const,
          observed: 'no tool',
          expected: 'active',
          fix: 'enable it',
          durationMs: 2,
        },
      ],
    };
    const jws = await signPostureReport(key, payload);
    expect(decodeProtectedHeader(jws)).toEqual({
      alg: 'ES256',
      typ: POSTURE_REPORT_TYP,
      kid: key.thumbprint,
    });
    const verified = await compactVerify(jws, await importJWK({ ...key.publicJwk }, 'ES256'));
    const claims: unknown = JSON.parse(new TextDecoder().decode(verified.payload));
    expect(postureAttestationPayloadSchema.parse(claims)).toEqual(payload);
    // Another key's signature does not verify.
    const other = await loadSoftwareDeviceKey(createMemoryCredentialStore(), 'default');
    await expect(compactVerify(jws, await importJWK({ ...other.publicJwk }, 'ES256'))).rejects.toThrow();
  });
});
