import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jitWorld, type JitWorld, type Person } from '../jit/jitWorld.test-support.js';
import { raiseAlert } from './raiseAlert.js';

/**
 * The whole loop in-process: records in the real audit log → the detector runner (tailing after
 * commit) → an alert and an automatic lock in one transaction → the admin API.
 */
describe('automatic lock from the detectors', () => {
  let w: JitWorld;
  let ann: Person;
  let alice: Person;
  let bob: Person;
  beforeEach(async () => {
    w = await jitWorld();
    ann = await w.person('ann', ['ml-engineers']);
    alice = await w.person('alice', ['admin']);
    bob = await w.person('bob', ['admin']);
  });
  afterEach(() => w.close());

  /** A refresh-token reuse by `userId` (its grant revoked), as the token endpoint records it. */
  async function refreshTokenReuse(userId: string): Promise<void> {
    await w.broker.store.appendAudit({
      classUid: 6003,
      activityId: 3,
      activity: 'token.refresh.reuse',
      statusId: 2,
      severityId: 4,
      actor: { kind: 'user', userId },
      time: w.broker.clock.now,
      data: { grantId: `G-${userId}`, grantRevoked: true },
    });
    await w.broker.alerts.runner.caughtUp();
  }

  /** `n` restricted credential issuances for ann, as the issuance routes record them. */
  async function pullCredentials(n: number): Promise<void> {
    const { store, clock } = w.broker;
    for (let i = 0; i < n; i++) {
      await store.appendAudit({
        classUid: 3003,
        activityId: 99,
        activity: 'credential.issue',
        statusId: 1,
        actor: { kind: 'user', userId: 'ann', deviceId: ann.deviceId },
        time: clock.now,
        data: { target: { type: 'Dataset', id: 'customer-pii' }, kind: 'aws-web-identity' },
      });
    }
    await w.broker.alerts.runner.caughtUp();
  }

  it('pulling restricted credentials in a loop locks the user; admins see the alert and the lock', async () => {
    await pullCredentials(20);
    expect((await w.call(alice, 'GET', '/api/v1/admin/alerts')).body['alerts']).toEqual([]);
    expect((await w.call(ann, 'GET', '/api/v1/grants')).status).toBe(200);

    await pullCredentials(10);
    const alerts = (await w.call(alice, 'GET', '/api/v1/admin/alerts?status=open')).body['alerts'] as Array<
      Record<string, unknown>
    >;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      detector: 'issuance-volume',
      severity: 'critical',
      action: 'lock-principal',
      userId: 'ann',
      userEmail: 'ann@example.test',
      data: { tier: 'restricted', cap: 25, tierCount: 26 },
    });
    expect(alerts[0]?.['lockId']).toEqual(expect.any(String));
    expect((await w.call(ann, 'GET', '/api/v1/grants')).status).toBe(401);
    const locks = (await w.call(bob, 'GET', '/api/v1/admin/locks?active=true')).body['locks'] as Array<
      Record<string, unknown>
    >;
    expect(locks).toEqual([
      expect.objectContaining({ id: alerts[0]?.['lockId'], userId: 'ann', automatic: true, lockedBy: null }),
    ]);
    const revoked = (await w.broker.store.listUserEvents('ann', 0, 100)).find(
      (e) => e.type === 'session.revoked',
    );
    expect(String(revoked?.data['reason'])).toMatch(/locked by Strongroom \(automatic\): issuance-volume/);
    for (const admin of ['alice', 'bob']) {
      const types = (await w.broker.store.listUserEvents(admin, 0, 100)).map((e) => e.type);
      expect(types).toEqual(expect.arrayContaining(['alert.raised', 'principal.locked']));
    }
    const audit = await w.auditNames();
    expect(audit.find((a) => a.activity === 'alert.raise')).toMatchObject({
      classUid: 2004,
      severityId: 5,
      data: { detector: 'issuance-volume', principal: 'ann', lockId: alerts[0]?.['lockId'] },
    });
    expect(audit.find((a) => a.activity === 'user.lock')).toMatchObject({
      data: { automatic: true },
    });

    // More pulls in the same window raise nothing new (one finding per window).
    await pullCredentials(5);
    expect((await w.call(alice, 'GET', '/api/v1/admin/alerts')).body['alerts']).toHaveLength(1);

    // Acknowledge once; the second time is a conflict.
    const id = String(alerts[0]?.['id']);
    const ack = await w.call(alice, 'POST', `/api/v1/admin/alerts/${id}/ack`, { note: 'talked to ann' });
    expect(ack.body['alert']).toMatchObject({
      status: 'acknowledged',
      ackedBy: 'alice',
      ackNote: 'talked to ann',
    });
    expect((await w.call(bob, 'POST', `/api/v1/admin/alerts/${id}/ack`, {})).status).toBe(409);
  });

  it('the last active admin is never locked automatically: the alert says so', async () => {
    await w.broker.store.removeMembership('bob', 'admin');
    const { store } = w.broker;
    await refreshTokenReuse('alice');
    const alerts = (await w.call(alice, 'GET', '/api/v1/admin/alerts')).body['alerts'] as Array<
      Record<string, unknown>
    >;
    expect(alerts).toEqual([
      expect.objectContaining({ detector: 'refresh-token-reuse', userId: 'alice', lockId: null }),
    ]);
    expect((await store.getUser('alice'))?.status).toBe('active');
    expect((await w.auditNames()).find((a) => a.activity === 'alert.raise')?.data).toMatchObject({
      lockSkipped: 'the principal is the last active admin',
    });
  });

  it('refresh-token reuse by a user locks them; any admin may unlock an automatic lock', async () => {
    const { store } = w.broker;
    await refreshTokenReuse('ann');
    const lock = await store.getActiveLock('user', 'ann');
    expect(lock).toMatchObject({ lockedBy: null });
    const issued = await w.call(alice, 'POST', `/api/v1/admin/locks/${lock?.id}/unlock-challenge`);
    expect(issued.status).toBe(200);
  });

  it('findings about history older than maxActAgeSeconds raise nothing (a replay after downtime)', async () => {
    const { store, clock } = w.broker;
    await store.appendAudit({
      classUid: 6003,
      activityId: 1,
      activity: 'jit.breakglass',
      statusId: 1,
      severityId: 4,
      actor: { kind: 'user', userId: 'ann' },
      time: clock.now - 3_600_000,
      data: { requestId: 'old', reason: 'an hour ago', target: { type: 'Role', id: 'gpu-breakglass' } },
    });
    await w.broker.alerts.runner.caughtUp();
    expect(await store.listAlerts({ limit: 10 })).toEqual([]);
  });

  it('a lock-device finding locks only the device it names; the same finding again raises nothing', async () => {
    const { store, clock } = w.broker;
    const finding = {
      detector: 'new-device-restricted' as const,
      severity: 'high' as const,
      action: 'lock-device' as const,
      userId: 'ann',
      deviceId: ann.deviceId,
      summary: 'restricted access asked 2 min after enrolling a device',
      data: {},
      seq: 1,
      time: clock.now,
      dedupeKey: `new-device-restricted:${ann.deviceId}:1`,
    };
    const deps = { store, now: () => clock.now, webhooks: [] };
    const raised = await raiseAlert(deps, finding);
    expect(raised?.lock?.lock).toMatchObject({ kind: 'device', deviceId: ann.deviceId, lockedBy: null });
    expect((await store.getDevice(ann.deviceId))?.status).toBe('locked');
    expect((await store.getUser('ann'))?.status).toBe('active');
    expect((await w.call(ann, 'GET', '/api/v1/grants')).status).toBe(401);
    expect(await raiseAlert(deps, finding)).toBeUndefined();
    expect(await store.listAlerts({ limit: 10 })).toHaveLength(1);
    // A device the principal does not own is never locked on their account's behalf.
    const other = await raiseAlert(deps, { ...finding, deviceId: alice.deviceId, dedupeKey: 'x' });
    expect(other).toMatchObject({ lock: undefined, lockSkipped: 'the device is not the principal’s' });
    expect((await store.getDevice(alice.deviceId))?.status).toBe('active');
  });

  it('working hours per person: validated, audited, and used by the off-hours detector at once', async () => {
    const { store, clock } = w.broker;
    const put = async (body: unknown) => {
      const res = await w.broker.call({
        key: alice.key,
        token: alice.token,
        method: 'PUT',
        path: '/api/v1/admin/users/ann/working-hours',
        body,
      });
      return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
    };
    expect((await put({ workingHours: { zone: 'Mars/Olympus', start: 8, end: 18, days: [1] } })).status).toBe(
      400,
    );
    expect(
      (await put({ workingHours: { zone: 'UTC', start: 8, end: 18, days: [1] }, extra: 1 })).status,
    ).toBe(400);
    // Hours that exclude the present moment: ann's restricted access now is off hours.
    const hour = new Date(clock.now).getUTCHours();
    const hours = { zone: 'UTC', start: (hour + 2) % 24, end: (hour + 3) % 24, days: [1, 2, 3, 4, 5, 6, 7] };
    expect(await put({ workingHours: hours })).toMatchObject({ status: 200, body: { workingHours: hours } });
    expect(await store.getUserAttributes('ann')).toEqual({ workingHours: hours });
    expect((await w.auditNames()).find((a) => a.activity === 'user.working_hours')?.data).toEqual({
      userId: 'ann',
      workingHours: hours,
    });
    await store.appendAudit({
      classUid: 3003,
      activityId: 99,
      activity: 'authorize',
      statusId: 1,
      actor: { kind: 'user', userId: 'ann' },
      time: clock.now,
      data: {
        principal: 'ann',
        action: 'read',
        resource: { type: 'Dataset', id: 'customer-pii' },
        decision: 'allow',
        asAdmin: false,
      },
    });
    await w.broker.alerts.runner.caughtUp();
    expect((await store.listAlerts({ limit: 10 })).map((a) => [a.detector, a.userId])).toEqual([
      ['off-hours-restricted', 'ann'],
    ]);
    // Non-admins cannot change anybody's hours.
    const res = await w.broker.call({
      key: ann.key,
      token: ann.token,
      method: 'PUT',
      path: '/api/v1/admin/users/ann/working-hours',
      body: { workingHours: null },
    });
    expect(res.statusCode).toBe(403);
  });
});
