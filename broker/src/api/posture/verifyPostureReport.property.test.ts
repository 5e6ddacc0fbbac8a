import { signPostureReport } from '@strongroom/shared/posture-attestation/signPostureReport.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../store/Store.js';
import { makeDevice } from '../../store/deviceStoreConformance.js';
import { makeUser } from '../../store/storeFixtures.js';
import { openTempSqliteStore } from '../../store/tempSqliteStore.js';
import { makeTestDeviceKey } from '../apiTestBroker.js';
import { verifyPostureReport } from './verifyPostureReport.js';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.={}"';

/**
 * Any change to a signed report is refused, never thrown, and never accepted with other claims
 * (base64url's ignored trailing bits may decode a changed signature to the same bytes: the claims
 * are then the original ones, which is all that matters).
 */
describe('verifyPostureReport under random tampering', () => {
  let store: Store;
  let close: () => Promise<void>;
  let report: string;
  let thumbprint: string;
  const now = 1_764_000_000_000;
  beforeAll(async () => {
    const temp = await openTempSqliteStore('sr-posture-');
    store = temp.store;
    close = temp.dispose;
    const key = await makeTestDeviceKey();
    thumbprint = key.thumbprint;
    await store.createUser(makeUser({ id: 'u1' }));
    await store.createDevice(makeDevice('u1', { id: 'd1', thumbprint, publicJwk: { ...key.publicJwk } }));
    report = await signPostureReport(key, {
      deviceId: 'd1',
      nonce: 'n'.repeat(43),
      iat: now / 1000,
      platform: 'linux',
      agentVersion: 'test',
      checks: [
        {
          id: 'firewall',
          title: 'Firewall',
          status: 'fail',
          observed: 'off',
          expected: 'on',
          fix: 'enable',
          durationMs: 1,
        },
      ],
    });
  });
  afterAll(async () => close?.());

  const ctx = () => ({
    store,
    userId: 'u1',
    callerThumbprint: thumbprint,
    now: () => now,
    maxSkewSeconds: 300,
  });

  it('accepts the untouched report', async () => {
    expect((await verifyPostureReport(ctx(), report)).ok).toBe(true);
  });

  it('refuses every single-character change or splice that alters the claims', async () => {
    const original = await verifyPostureReport(ctx(), report);
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: report.length - 1 }),
        fc.constantFrom(...alphabet),
        fc.boolean(),
        async (at, char, insert) => {
          const changed = `${report.slice(0, at)}${char}${report.slice(insert ? at : at + 1)}`;
          const result = await verifyPostureReport(ctx(), changed);
          if (result.ok) expect(result).toEqual(original);
          else expect(result.reason).toMatch(/^[a-z_]+$/);
        },
      ),
      { numRuns: 300 },
    );
  });
});
