import { postureCheckIds, postureCheckTitles } from '@strongroom/shared/posture/PostureCheckId.js';
import type { PostureResult } from '@strongroom/shared/posture/PostureReport.js';
import { signPostureReport } from '@strongroom/shared/posture-attestation/signPostureReport.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTestDeviceKey } from '../api/apiTestBroker.js';
import { jitWorld, type JitWorld, type Person } from './jitWorld.test-support.js';

const MIN = 60_000;
const reason = 'investigate churn model drift on customer data';
const readPii = { action: 'read', resource: { type: 'Dataset', id: 'customer-pii' } };

/**
 * A posture regression ends restricted grants at once (issue 5), through the real signed-report
 * route (POST /api/v1/posture) of the real broker on SQLite with the default bundle.
 */
describe('posture regression ends restricted grants (endGrantsOnRegression via POST /api/v1/posture)', () => {
  let w: JitWorld;
  let alice: Person; // ml-engineers
  let bob: Person; // data-stewards
  let carol: Person; // data-stewards
  let tess: Person; // team-leads

  beforeEach(async () => {
    w = await jitWorld();
    alice = await w.person('alice', ['ml-engineers']);
    bob = await w.person('bob', ['data-stewards']);
    carol = await w.person('carol', ['data-stewards']);
    tess = await w.person('tess', ['team-leads']);
  });
  afterEach(async () => w.close());

  /** A report signed by `key` (the person's device key unless given) over a fresh nonce. */
  const report = async (
    p: Person,
    status: Partial<Record<string, PostureResult['status']>> = {},
    key = p.key,
  ) => {
    const nonce = await w.call(p, 'POST', '/api/v1/posture/nonce', {});
    expect(nonce.status).toBe(200);
    const checks: PostureResult[] = postureCheckIds.map((id) => ({
      id,
      title: postureCheckTitles[id],
      status: status[id] ?? 'pass',
      observed: 'test',
      expected: 'expected',
      fix: '',
      durationMs: 1,
    }));
    const jws = await signPostureReport(key, {
      deviceId: p.deviceId,
      nonce: String(nonce.body['nonce']),
      iat: Math.floor(w.broker.clock.now / 1000),
      platform: 'linux',
      agentVersion: '0.1.0',
      checks,
    });
    const res = await w.call(p, 'POST', '/api/v1/posture', { report: jws });
    if (key === p.key) expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res;
  };

  const activeGrant = async (target: { type: string; id: string }, approvers: Person[]) => {
    const created = await w.call(alice, 'POST', '/api/v1/requests', { target, durationMinutes: 60, reason });
    expect(created.status).toBe(201);
    const id = (created.body['request'] as { id: string }).id;
    let grantId = '';
    for (const a of approvers) {
      const r = await w.approve(a, id);
      expect(r.status).toBe(200);
      grantId = (r.body['grant'] as { id: string } | null)?.id ?? grantId;
    }
    const activated = await w.call(alice, 'POST', `/api/v1/grants/${grantId}/activate`);
    expect(activated.status).toBe(200);
    return grantId;
  };
  const grant = async (id: string) =>
    ((await w.call(alice, 'GET', '/api/v1/grants')).body['grants'] as Array<Record<string, unknown>>).find(
      (g) => g['id'] === id,
    );
  const events = async (p: Person) => w.broker.store.listUserEvents(p.user.id, 0, 1000);

  it('a failing report ends the restricted grant at once, audited, with device.compliance and grant.ended events; a fixed device does not bring it back', async () => {
    const restricted = await activeGrant({ type: 'Role', id: 'restricted-data-reader' }, [bob, carol]);
    const internal = await activeGrant({ type: 'Role', id: 'ml-researcher' }, [tess]);
    expect((await report(alice)).status).toBe(200);
    expect((await w.call(alice, 'POST', '/api/v1/authorize', readPii)).body['decision']).toBe('allow');
    const before = (await events(alice)).length;

    w.broker.clock.now += MIN;
    const failing = await report(alice, { disk_encryption: 'fail' });
    expect(failing.status).toBe(200);
    expect(failing.body['compliant']).toBe(false);

    expect(await grant(restricted)).toMatchObject({
      state: 'ended',
      endReason: 'posture_regression',
      endedAt: w.broker.clock.now,
    });
    // Only restricted grants: an internal one is still in force (posture forbids decide its use).
    expect(await grant(internal)).toMatchObject({ state: 'active' });

    const audit = await w.auditNames();
    const end = audit.find((a) => a.activity === 'jit.grant.end' && a.data?.['grantId'] === restricted);
    expect(end).toMatchObject({
      classUid: 3003,
      statusId: 1,
      severityId: 3,
      data: { reason: 'posture_regression', deviceId: alice.deviceId, failedChecks: ['disk_encryption'] },
    });
    const regression = audit.filter((a) => a.activity === 'posture.attest').at(-1);
    expect(regression).toMatchObject({ severityId: 3, data: { compliant: false, previousCompliant: true } });

    const added = (await events(alice)).slice(before);
    expect(added.map((e) => e.type).sort()).toEqual(['device.compliance', 'grant.ended']);
    expect(added.find((e) => e.type === 'device.compliance')?.data).toMatchObject({
      deviceId: alice.deviceId,
      compliant: false,
      previousCompliant: true,
      failedChecks: ['disk_encryption'],
      grantsEnded: [restricted],
    });
    expect(added.find((e) => e.type === 'grant.ended')?.data).toMatchObject({
      grantId: restricted,
      reason: 'posture_regression',
    });
    // Other people's streams are untouched.
    expect((await events(bob)).some((e) => e.type === 'device.compliance')).toBe(false);

    // Fixing the device reports compliance again but does not revive the grant: a new request is needed.
    w.broker.clock.now += MIN;
    expect((await report(alice)).body['compliant']).toBe(true);
    expect(await grant(restricted)).toMatchObject({ state: 'ended', endReason: 'posture_regression' });
    const denied = await w.call(alice, 'POST', '/api/v1/authorize', readPii);
    expect(denied.body['decision']).toBe('deny');
    expect((denied.body['reasons'] as string[]).join()).toMatch(/needs an active grant/);
    const back = (await events(alice)).filter((e) => e.type === 'device.compliance').at(-1);
    expect(back?.data).toMatchObject({ compliant: true, previousCompliant: false, grantsEnded: [] });
    // Activating the ended grant again is refused.
    expect((await w.call(alice, 'POST', `/api/v1/grants/${restricted}/activate`)).body['error']).toBe(
      'grant_ended',
    );
  });

  it('a passing report ends nothing and emits no event; a forged report is refused and ends nothing', async () => {
    const restricted = await activeGrant({ type: 'Role', id: 'restricted-data-reader' }, [bob, carol]);
    expect((await report(alice)).status).toBe(200);
    const before = (await events(alice)).length;
    w.broker.clock.now += MIN;
    expect((await report(alice)).status).toBe(200);
    expect(await grant(restricted)).toMatchObject({ state: 'active' });
    expect((await events(alice)).length).toBe(before);

    // A "failing" report signed by a key that is not the device's: refused, the grant stays.
    const forged = await report(alice, { firewall: 'fail' }, await makeTestDeviceKey());
    expect(forged.status).toBe(400);
    expect(forged.body['error']).toBe('attestation_rejected');
    expect(await grant(restricted)).toMatchObject({ state: 'active' });
    expect((await events(alice)).length).toBe(before);
  });

  it("one user's failing device ends only that user's grants", async () => {
    const restricted = await activeGrant({ type: 'Role', id: 'restricted-data-reader' }, [bob, carol]);
    expect((await report(bob, { screen_lock: 'fail' })).status).toBe(200);
    expect(await grant(restricted)).toMatchObject({ state: 'active' });
    expect((await events(alice)).some((e) => e.type === 'device.compliance')).toBe(false);
  });
});
