import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTestDeviceKey } from '../api/apiTestBroker.js';
import { jitWorld, type JitWorld, type Person, type Reply } from '../jit/jitWorld.test-support.js';
import { makeDevice } from '../store/deviceStoreConformance.js';
import { makeAccessRequest, makeGrant } from '../store/jitStoreConformance.js';

const ORIGIN = 'http://localhost:7700';

/** Asks for the unlock challenge and answers it with the admin's key (a touch with UV). */
async function unlock(
  w: JitWorld,
  admin: Person,
  lockId: string,
  reason = 'checked with the team lead',
): Promise<Reply> {
  const issued = await w.call(admin, 'POST', `/api/v1/admin/locks/${lockId}/unlock-challenge`);
  if (issued.status !== 200) return issued;
  const options = issued.body['options'] as { challenge: string };
  admin.counter += 1;
  const assertion = admin.authenticator.assert({
    challenge: options.challenge,
    origin: ORIGIN,
    rpId: 'localhost',
    counter: admin.counter,
  });
  return w.call(admin, 'POST', `/api/v1/admin/locks/${lockId}/unlock`, { assertion, reason });
}

describe('locks', () => {
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

  /** An active restricted grant of ann with one credential issued under it. */
  async function activeGrantWithCredential() {
    const { store, clock } = w.broker;
    const request = makeAccessRequest('ann', { status: 'approved', createdAt: clock.now });
    await store.createAccessRequest(request);
    const grant = makeGrant(request, {
      status: 'active',
      createdAt: clock.now,
      activateBy: clock.now + 60_000,
      activatedAt: clock.now,
      expiresAt: clock.now + 3_600_000,
    });
    await store.createGrant(grant);
    await store.recordIssuedCredential({
      id: 'jti-ann-1',
      kind: 'service-token',
      userId: 'ann',
      deviceId: ann.deviceId,
      grantId: grant.id,
      audience: 'model-registry',
      serial: null,
      issuedAt: clock.now,
      expiresAt: clock.now + 600_000,
    });
    return grant;
  }

  it('an admin lock ends sessions, grants and credentials, pushes session.revoked, and the API refuses the user', async () => {
    const { store, provider } = w.broker;
    const grant = await activeGrantWithCredential();
    expect((await w.call(ann, 'GET', '/api/v1/grants')).status).toBe(200);

    const locked = await w.call(alice, 'POST', '/api/v1/admin/locks', {
      kind: 'user',
      user: 'ann@example.test',
      reason: 'suspected laptop theft',
    });
    expect(locked.status, JSON.stringify(locked.body)).toBe(201);
    expect(locked.body).toMatchObject({ created: true, grantsEnded: [grant.id], credentialsRevoked: 1 });
    expect(locked.body['sessionsEnded']).toBeGreaterThanOrEqual(1);

    const refused = await w.call(ann, 'GET', '/api/v1/grants');
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe('invalid_token');
    expect(await provider.AccessToken.find(ann.token)).toBeUndefined();
    expect((await store.getUser('ann'))?.status).toBe('locked');
    expect(await store.getGrant(grant.id)).toMatchObject({ status: 'ended', endReason: 'locked' });
    expect((await store.getIssuedCredential('jti-ann-1'))?.revokedAt).not.toBeNull();

    const annEvents = await store.listUserEvents('ann', 0, 100);
    const revoked = annEvents.find((e) => e.type === 'session.revoked');
    expect(revoked?.data).toMatchObject({
      scope: 'user',
      lockId: (locked.body['lock'] as { id: string }).id,
    });
    expect(String(revoked?.data['reason'])).toMatch(/locked by an admin: suspected laptop theft/);
    expect(annEvents.some((e) => e.type === 'grant.ended' && e.data['reason'] === 'locked')).toBe(true);
    for (const admin of ['alice', 'bob'])
      expect((await store.listUserEvents(admin, 0, 100)).map((e) => e.type)).toContain('principal.locked');

    const audit = await w.auditNames();
    expect(audit.find((a) => a.activity === 'user.lock')).toMatchObject({
      classUid: 3001,
      statusId: 1,
      severityId: 4,
      data: { userId: 'ann', automatic: false, grantsEnded: [grant.id] },
    });
    expect(audit.find((a) => a.activity === 'user.lock')?.data?.['credentialsRevoked']).toEqual([
      { id: 'jti-ann-1', kind: 'service-token' },
    ]);

    // Locking again changes nothing and says so.
    const again = await w.call(bob, 'POST', '/api/v1/admin/locks', {
      kind: 'user',
      user: 'ann',
      reason: 'double check',
    });
    expect(again.status).toBe(200);
    expect(again.body['created']).toBe(false);
  });

  it('unlocking needs another admin than the locker, a key touch bound to the lock, and a reason', async () => {
    const { store } = w.broker;
    const locked = await w.call(alice, 'POST', '/api/v1/admin/locks', {
      kind: 'user',
      user: 'ann',
      reason: 'suspected laptop theft',
    });
    const lockId = (locked.body['lock'] as { id: string }).id;

    const own = await unlock(w, alice, lockId);
    expect(own.status).toBe(403);
    expect(own.body.error_description).toMatch(/different admin/);
    // Straight to the unlock, without the challenge route: refused the same way, and audited.
    const direct = await w.call(alice, 'POST', `/api/v1/admin/locks/${lockId}/unlock`, {
      assertion: alice.authenticator.assert({
        challenge: 'AAAA',
        origin: ORIGIN,
        rpId: 'localhost',
        counter: 99,
      }),
      reason: 'I locked it, I unlock it',
    });
    expect(direct.status).toBe(403);
    expect(
      (await w.auditNames())
        .filter((a) => a.activity === 'lock.unlock' && a.statusId === 2)
        .map((a) => a.data?.['reason']),
    ).toEqual(['same_admin_as_locker']);

    // A touch not made over this lock's challenge (e.g. made to sign in) does not unlock.
    const noChallenge = await w.call(bob, 'POST', `/api/v1/admin/locks/${lockId}/unlock`, {
      assertion: bob.authenticator.assert({
        challenge: 'AAAA',
        origin: ORIGIN,
        rpId: 'localhost',
        counter: 1,
      }),
      reason: 'checked with the team lead',
    });
    expect(noChallenge.status).toBe(400);
    expect(noChallenge.body.error).toBe('webauthn_failed');
    // "." is not a reason.
    expect((await unlock(w, bob, lockId, '.')).status).toBe(400);
    expect((await store.getUser('ann'))?.status).toBe('locked');

    const ok = await unlock(w, bob, lockId);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body['lock']).toMatchObject({
      active: false,
      unlockedBy: 'bob',
      unlockReason: 'checked with the team lead',
    });
    expect((await store.getUser('ann'))?.status).toBe('active');
    expect((await w.auditNames()).find((a) => a.activity === 'user.unlock')).toMatchObject({
      statusId: 1,
      data: { lockId, lockedBy: 'alice', reason: 'checked with the team lead' },
    });
    // The old session stays ended: the user signs in again.
    expect((await w.call(ann, 'GET', '/api/v1/grants')).status).toBe(401);
    ann.token = await w.broker.issueToken(ann.user, ann.key);
    expect((await w.call(ann, 'GET', '/api/v1/grants')).status).toBe(200);
    // An ended lock cannot be unlocked twice.
    expect((await unlock(w, alice, lockId)).status).toBe(409);
    expect((await w.call(bob, 'POST', `/api/v1/admin/locks/${lockId}/unlock-challenge`)).status).toBe(409);
  });

  it('a device lock cuts off that device only; its owner cannot unlock it from another device', async () => {
    const { store, clock } = w.broker;
    // bob's second machine, signed in too.
    const key2 = await makeTestDeviceKey();
    const device2 = makeDevice('bob', {
      thumbprint: key2.thumbprint,
      publicJwk: key2.publicJwk,
      enrolledAt: clock.now,
      lastSeenAt: clock.now,
    });
    await store.createDevice(device2);
    const bob2: Person = {
      ...bob,
      key: key2,
      token: await w.broker.issueToken(bob.user, key2),
      deviceId: device2.id,
    };

    const locked = await w.call(alice, 'POST', '/api/v1/admin/locks', {
      kind: 'device',
      user: 'bob',
      deviceId: bob.deviceId,
      reason: 'laptop reported stolen',
    });
    expect(locked.status, JSON.stringify(locked.body)).toBe(201);
    const lockId = (locked.body['lock'] as { id: string }).id;
    expect((await w.call(bob, 'GET', '/api/v1/grants')).status).toBe(401);
    expect((await w.call(bob2, 'GET', '/api/v1/grants')).status).toBe(200);
    expect((await store.getDevice(bob.deviceId))?.status).toBe('locked');
    const revoked = (await store.listUserEvents('bob', 0, 100)).find((e) => e.type === 'session.revoked');
    expect(revoked?.data).toMatchObject({
      scope: 'device',
      deviceId: bob.deviceId,
      thumbprint: bob.key.thumbprint,
    });

    // The locked person can never unlock their own lock, even as an admin from another device.
    const self = await unlock(w, bob2, lockId);
    expect(self.status).toBe(403);
    expect(self.body.error_description).toMatch(/nobody unlocks their own/);
    const selfDirect = await w.call(bob2, 'POST', `/api/v1/admin/locks/${lockId}/unlock`, {
      assertion: bob2.authenticator.assert({
        challenge: 'AAAA',
        origin: ORIGIN,
        rpId: 'localhost',
        counter: 50,
      }),
      reason: 'it was in my bag all along',
    });
    expect(selfDirect.status).toBe(403);
    expect(
      (await w.auditNames()).some(
        (a) => a.activity === 'lock.unlock' && a.data?.['reason'] === 'self_unlock' && a.severityId === 5,
      ),
    ).toBe(true);
    expect((await store.getDevice(bob.deviceId))?.status).toBe('locked');
  });

  it('only admins reach the admin API (refusals audited); admins do not lock themselves', async () => {
    const res = await w.call(ann, 'GET', '/api/v1/admin/alerts');
    expect(res.status).toBe(403);
    const lock = await w.call(ann, 'POST', '/api/v1/admin/locks', {
      kind: 'user',
      user: 'alice',
      reason: 'I do not like alice',
    });
    expect(lock.status).toBe(403);
    expect((await w.auditNames()).filter((a) => a.activity === 'admin.api' && a.statusId === 2)).toHaveLength(
      2,
    );
    expect((await w.broker.store.getUser('alice'))?.status).toBe('active');
    const self = await w.call(alice, 'POST', '/api/v1/admin/locks', {
      kind: 'user',
      user: 'alice',
      reason: 'testing myself',
    });
    expect(self.status).toBe(403);
    const unknown = await w.call(alice, 'POST', '/api/v1/admin/locks', {
      kind: 'user',
      user: 'nobody@example.test',
      reason: 'who is that',
    });
    expect(unknown.status).toBe(404);
    const extra = await w.call(alice, 'POST', '/api/v1/admin/locks', {
      kind: 'user',
      user: 'ann',
      reason: 'good reason',
      force: true,
    });
    expect(extra.status).toBe(400);
    expect((await w.broker.store.getUser('ann'))?.status).toBe('active');
  });
});
