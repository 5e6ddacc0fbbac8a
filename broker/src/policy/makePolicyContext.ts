import { deepMerge } from './runPolicyTests.js';

/**
 * Test fixture: a request context for the default schema in which everything passes (enrolled,
 * compliant device with every check passing, fresh attestation, hardware key touched a minute ago,
 * trusted network, office hours, no grants), with `changes` deep-merged over it.
 */
export function makePolicyContext(changes: Record<string, unknown> = {}): Record<string, unknown> {
  return deepMerge(
    {
      device: {
        enrolled: true,
        compliant: true,
        checks: {
          diskEncryption: 'pass',
          firewall: 'pass',
          osPatch: 'pass',
          screenLock: 'pass',
          secureBoot: 'pass',
          endpointProtection: 'pass',
        },
        keyProtection: 'hardware',
        attestationAgeSeconds: 60,
      },
      mfa: { method: 'hwk', ageSeconds: 30 },
      network: { sourceIp: '10.1.2.3', trusted: true },
      time: { hour: 11, weekday: 3 },
      grants: { roles: [], assets: [] },
    },
    changes,
  );
}
