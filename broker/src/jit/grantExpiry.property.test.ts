import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceContext } from '../api/posture/deviceContextFor.js';
import { defaultPolicyBundleDir } from '../policy/defaultPolicyBundleDir.js';
import { makePolicyContext } from '../policy/makePolicyContext.js';
import { PolicyEngine } from '../policy/PolicyEngine.js';
import type { GrantRecord } from '../store/jitRecords.js';
import { grantStateAt } from './grantStateAt.js';
import { parseJitOptions } from './jitOptions.js';
import { contextFor } from './policyInputsFor.js';

const MIN = 60_000;
const T0 = 1_750_000_000_000;
// Everything passes (the shared fixture), so only the grant decides.
const passing = makePolicyContext({ device: { attestationAgeSeconds: 10 } })['device'] as DeviceContext;

describe('property: an expired grant never allows (default bundle, real Cedar)', () => {
  let engine: PolicyEngine;
  beforeAll(async () => {
    engine = await PolicyEngine.start(defaultPolicyBundleDir());
  });
  afterAll(() => engine.bundle.release());

  const decide = async (grant: GrantRecord, now: number) => {
    const user = {
      id: 'alice',
      email: 'alice@example.test',
      displayName: 'A',
      status: 'active' as const,
      createdAt: T0,
    };
    // The store at the edge: the grant as stored and a key touched just now; everything else real.
    const context = await contextFor(
      {
        now: () => now,
        options: parseJitOptions(),
        devices: { deviceContextFor: async () => passing, deviceContextForKey: async () => passing },
      },
      {
        listGrants: async () => [grant],
        listCredentials: async () => [
          {
            id: 'k',
            userId: 'alice',
            publicKey: new Uint8Array(),
            counter: 1,
            transports: [],
            aaguid: '',
            backedUp: false,
            createdAt: T0,
            lastUsedAt: now,
          },
        ],
      },
      user,
      { thumbprint: 'tp', srcIp: '127.0.0.1' },
    );
    return engine.authorize({
      principal: { id: 'alice', groups: ['ml-engineers'] },
      action: 'read',
      resource: { type: 'Dataset', id: 'customer-pii' },
      context,
    }).decision;
  };

  it('denies at and after the stored end, whatever the duration, activation time or sweeper state', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 24 * 60 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 10 * 24 * 60 * MIN }),
        fc.constantFrom<GrantRecord['status']>('active', 'ended'),
        async (minutes, activateAfter, after, status) => {
          const activatedAt = T0 + activateAfter * MIN;
          const grant: GrantRecord = {
            id: 'g',
            requestId: 'r',
            userId: 'alice',
            target: { type: 'Role', id: 'restricted-data-reader' },
            tier: 'restricted',
            durationMinutes: minutes,
            status,
            emergency: false,
            createdAt: T0,
            activateBy: T0 + 60 * MIN,
            activatedAt,
            expiresAt: activatedAt + minutes * MIN,
            endedAt: null,
            endReason: null,
          };
          const now = activatedAt + minutes * MIN + after;
          expect(grantStateAt(grant, now)).toBe('ended');
          expect(await decide(grant, now)).toBe('deny');
        },
      ),
      { numRuns: 150 },
    );
  });

  it('is not vacuous: the same grant allows one millisecond before its end', async () => {
    const grant: GrantRecord = {
      id: 'g',
      requestId: 'r',
      userId: 'alice',
      target: { type: 'Role', id: 'restricted-data-reader' },
      tier: 'restricted',
      durationMinutes: 30,
      status: 'active',
      emergency: false,
      createdAt: T0,
      activateBy: T0 + 60 * MIN,
      activatedAt: T0,
      expiresAt: T0 + 30 * MIN,
      endedAt: null,
      endReason: null,
    };
    expect(await decide(grant, T0 + 30 * MIN - 1)).toBe('allow');
    expect(await decide(grant, T0 + 30 * MIN)).toBe('deny');
  });
});
