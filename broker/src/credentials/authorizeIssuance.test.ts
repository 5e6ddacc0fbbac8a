import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiCaller } from '../api/auth/ApiCaller.js';
import { BrokerError } from '../errors/BrokerError.js';
import { jitWorld, type JitWorld, type Person } from '../jit/jitWorld.test-support.js';
import { authorizeIssuance, MAX_CREDENTIAL_SECONDS } from './authorizeIssuance.js';
import { issuanceCaller, storedActiveGrant } from './issuanceFixtures.test-support.js';

const MIN = 60_000;
const customerPii = { type: 'Dataset', id: 'customer-pii' };

describe('authorizeIssuance', () => {
  let w: JitWorld;
  let alice: Person;
  beforeEach(async () => {
    w = await jitWorld();
    alice = await w.person('alice', ['ml-engineers']);
  });
  afterEach(async () => w.close());

  const callerOf = (p: Person) => issuanceCaller(w, p);
  /** A grant stored as approved and activated now (the approval flow is tested in jitRoutes.test.ts). */
  const activeGrant = (p: Person, target: { type: string; id: string }, minutes: number) =>
    storedActiveGrant(w, p, target, minutes, { tier: 'restricted' });

  const refusal = async (p: Promise<unknown>): Promise<{ code: string; message: string }> => {
    const e: unknown = await p.then(
      () => undefined,
      (x: unknown) => x,
    );
    if (!(e instanceof BrokerError)) throw new Error(`expected a refusal, got ${String(e)}`);
    return { code: e.code, message: e.message };
  };

  it('issues under a grant of a role the asset lists, capped at the grant end and at one hour', async () => {
    const grantId = await activeGrant(alice, { type: 'Role', id: 'restricted-data-reader' }, 20);
    const caller = await callerOf(alice);
    const decision = await authorizeIssuance(w.broker.jit, caller, { target: customerPii, action: 'read' });
    expect(decision.grant.id).toBe(grantId);
    expect(decision.deviceId).toBe(alice.deviceId);
    expect(decision.expiresAt).toBe(w.broker.clock.now + 20 * MIN);
    const short = await authorizeIssuance(w.broker.jit, caller, {
      target: customerPii,
      action: 'read',
      grantId,
      requestedSeconds: 60,
    });
    expect(short.expiresAt).toBe(w.broker.clock.now + 60_000);
    const longGrant = await activeGrant(alice, customerPii, 120);
    const capped = await authorizeIssuance(w.broker.jit, caller, { target: customerPii, action: 'read' });
    expect(capped.grant.id).toBe(longGrant);
    expect(capped.expiresAt).toBe(w.broker.clock.now + MAX_CREDENTIAL_SECONDS * 1000);
  });

  it('refuses without a covering active grant, for a foreign or ended grant, and for an unknown asset', async () => {
    const caller = await callerOf(alice);
    expect(
      await refusal(authorizeIssuance(w.broker.jit, caller, { target: customerPii, action: 'read' })),
    ).toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(/no active grant covers Dataset "customer-pii"/),
    });
    const bob = await w.person('bob', ['ml-engineers']);
    const bobsGrant = await activeGrant(bob, { type: 'Role', id: 'restricted-data-reader' }, 30);
    expect(
      await refusal(
        authorizeIssuance(w.broker.jit, caller, { target: customerPii, action: 'read', grantId: bobsGrant }),
      ),
    ).toMatchObject({ code: 'not_found' });
    const mine = await activeGrant(alice, { type: 'HostGroup', id: 'gpu-prod' }, 30);
    expect(
      await refusal(
        authorizeIssuance(w.broker.jit, caller, { target: customerPii, action: 'read', grantId: mine }),
      ),
    ).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/does not cover/) });
    w.broker.clock.now += 31 * MIN;
    await w.attest(alice);
    expect(
      await refusal(
        authorizeIssuance(w.broker.jit, caller, {
          target: { type: 'HostGroup', id: 'gpu-prod' },
          action: 'ssh',
          grantId: mine,
        }),
      ),
    ).toMatchObject({ code: 'grant_ended' });
    expect(
      await refusal(
        authorizeIssuance(w.broker.jit, caller, {
          target: { type: 'Role', id: 'restricted-data-reader' },
          action: 'read',
        }),
      ),
    ).toMatchObject({ code: 'not_found' });
  });

  it('asks the policy: a failing device gets no credential even with a grant', async () => {
    await activeGrant(alice, { type: 'Role', id: 'restricted-data-reader' }, 30);
    await w.attest(alice, { disk_encryption: 'fail' });
    const r = await refusal(
      authorizeIssuance(w.broker.jit, await callerOf(alice), { target: customerPii, action: 'read' }),
    );
    expect(r.code).toBe('policy_denied');
    expect(r.message).toMatch(/disk encryption/);
  });

  it('refuses a caller without an enrolled, active device', async () => {
    await activeGrant(alice, { type: 'Role', id: 'restricted-data-reader' }, 30);
    const noDevice: ApiCaller = { ...(await callerOf(alice)) };
    delete noDevice.device;
    expect(
      await refusal(authorizeIssuance(w.broker.jit, noDevice, { target: customerPii, action: 'read' })),
    ).toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(/enrolled, active device/),
    });
  });
});
