import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jitWorld, type JitWorld, type Person } from '../jit/jitWorld.test-support.js';
import { mintRefreshToken } from '../oidc/mintRefreshToken.test-support.js';
import { refreshWithDpop } from '../oidc/refreshWithDpop.test-support.js';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

const ORIGIN = 'http://localhost:7700';

/** A device's DPoP key and a refresh token of a fresh session bound to it (a completed key sign-in). */
async function signedInSession(w: JitWorld, userId: string): Promise<{ key: KeyPair; refreshToken: string }> {
  const key = await generateKeyPair('ES256');
  const refreshToken = await mintRefreshToken(w.broker.provider, {
    accountId: userId,
    jkt: await calculateJwkThumbprint(await exportJWK(key.publicKey)),
    nowSeconds: Math.floor(w.broker.clock.now / 1000),
  });
  return { key, refreshToken };
}

/**
 * `GET /api/v1/events` as `p` over a real socket, read to its end (the broker ends a locked
 * person's stream right after writing what was committed with the lock). Starts at the newest event.
 */
async function openEventStream(w: JitWorld, base: string, p: Person): Promise<{ body: Promise<string> }> {
  const dpop = await w.broker.proof(p.key, {
    htm: 'GET',
    htu: `${w.broker.issuer}/api/v1/events`,
    accessToken: p.token,
  });
  const res = await fetch(`${base}/api/v1/events`, { headers: { authorization: `DPoP ${p.token}`, dpop } });
  expect(res.status).toBe(200);
  // Wrapped: an async function returning the bare promise would wait for the stream's end.
  return { body: res.text() };
}

/** The events of an SSE body (WHATWG HTML §9.2.6), data parsed. */
function sseEvents(
  body: string,
): Array<{ event: string; data: { type: string; data: Record<string, unknown> } }> {
  return body
    .split('\n\n')
    .map(
      (block) =>
        new Map(
          block
            .split('\n')
            .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trimStart()]),
        ),
    )
    .filter((fields) => fields.has('data'))
    .map((fields) => ({
      event: fields.get('event') ?? 'message',
      data: JSON.parse(fields.get('data') ?? '{}') as { type: string; data: Record<string, unknown> },
    }));
}

/**
 * Refresh-token reuse end to end, in-process: a rotated-out refresh token presented again at the
 * REAL token endpoint (oidc-provider, DPoP, the request's store transaction) → its audit record →
 * the detector runner → the `refresh-token-reuse` alert and the automatic lock of the default
 * bundle → every session of the person refused, `session.revoked` pushed on their live stream.
 */
describe('refresh-token reuse at the token endpoint locks the person', () => {
  let w: JitWorld;
  let ann: Person;
  let alice: Person;
  let bob: Person;
  let base: string;
  beforeEach(async () => {
    w = await jitWorld();
    ann = await w.person('ann', ['ml-engineers']);
    alice = await w.person('alice', ['admin']);
    bob = await w.person('bob', ['admin']);
    await w.broker.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(w.broker.app.server.address() as AddressInfo).port}`;
  });
  afterEach(() => w.close());

  it('a stolen (rotated-out) refresh token presented again: audited, alerted, locked, every session refused, session.revoked pushed', async () => {
    const { store } = w.broker;
    const laptop = await signedInSession(w, 'ann');
    const desktop = await signedInSession(w, 'ann');
    const stream = await openEventStream(w, base, ann);

    // Both sessions work: the laptop's refresh token rotates, the desktop's too.
    const rotated = await refreshWithDpop(w.broker, laptop.refreshToken, laptop.key);
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    const laptopNext = String(rotated.body['refresh_token']);
    expect(laptopNext).not.toBe(laptop.refreshToken);
    const desktopRotated = await refreshWithDpop(w.broker, desktop.refreshToken, desktop.key);
    expect(desktopRotated.status).toBe(200);
    const desktopNext = String(desktopRotated.body['refresh_token']);
    expect((await store.getUser('ann'))?.status).toBe('active');

    // The thief presents the laptop's old refresh token (with the stolen DPoP key).
    const reuse = await refreshWithDpop(w.broker, laptop.refreshToken, laptop.key);
    expect(reuse.status).toBe(400);
    expect(reuse.body['error']).toBe('invalid_grant');
    expect(JSON.stringify(reuse.body)).not.toMatch(/access_token|refresh_token"/);

    const records = await store.readAudit(1, 10_000);
    const reuseRecord = records.find((r) => r.activity === 'token.refresh.reuse');
    expect(reuseRecord).toMatchObject({
      classUid: 6003,
      activityId: 3,
      statusId: 2,
      severityId: 4,
      actor: { kind: 'user', userId: 'ann' },
      data: { grantRevoked: true, grantType: 'refresh_token', error: 'invalid_grant' },
    });
    const grantId = reuseRecord?.data?.['grantId'];
    expect(grantId).toEqual(expect.any(String));

    await w.broker.alerts.runner.caughtUp();
    const alerts = (await w.call(alice, 'GET', '/api/v1/admin/alerts?status=open')).body['alerts'] as Array<
      Record<string, unknown>
    >;
    // The default bundle: critical, lock-principal (broker/policy/default/detectors.json).
    expect(alerts).toEqual([
      expect.objectContaining({
        detector: 'refresh-token-reuse',
        severity: 'critical',
        action: 'lock-principal',
        userId: 'ann',
        userEmail: 'ann@example.test',
        lockId: expect.any(String),
        data: expect.objectContaining({ activity: 'token.refresh.reuse', grantId }),
      }),
    ]);
    const lockId = String(alerts[0]?.['lockId']);
    expect((await store.getUser('ann'))?.status).toBe('locked');
    const locks = (await w.call(bob, 'GET', '/api/v1/admin/locks?active=true')).body['locks'];
    expect(locks).toEqual([
      expect.objectContaining({ id: lockId, userId: 'ann', automatic: true, lockedBy: null }),
    ]);

    // Every session of the person is refused: the reused one's rotated token (the grant was
    // revoked), the other device's (the lock), her API token.
    for (const [token, key] of [
      [laptopNext, laptop.key],
      [desktopNext, desktop.key],
    ] as const) {
      const refused = await refreshWithDpop(w.broker, token, key);
      expect(refused.status).toBe(400);
      expect(refused.body['error']).toBe('invalid_grant');
    }
    expect((await w.call(ann, 'GET', '/api/v1/grants')).status).toBe(401);
    // A session that somehow outlived the lock still cannot refresh while she is locked.
    const survivor = await signedInSession(w, 'ann');
    expect((await refreshWithDpop(w.broker, survivor.refreshToken, survivor.key)).status).toBe(400);

    // Pushed on her live stream before it was cut, with the reason.
    const pushed = sseEvents(await stream.body);
    expect(pushed.map((e) => e.event)).toContain('session.revoked');
    expect(pushed.find((e) => e.event === 'session.revoked')?.data.data).toMatchObject({
      lockId,
      scope: 'user',
      reason: expect.stringMatching(
        /^your account was locked by Strongroom \(automatic\): refresh-token-reuse: refresh token presented again/,
      ),
    });
    for (const admin of ['alice', 'bob']) {
      const types = (await store.listUserEvents(admin, 0, 100)).map((e) => e.type);
      expect(types).toEqual(expect.arrayContaining(['alert.raised', 'principal.locked']));
    }

    // The audit trail, in order: the reuse, the alert, the lock.
    const after = await store.readAudit(1, 10_000);
    const seqOf = (activity: string) => after.find((r) => r.activity === activity)?.seq ?? -1;
    expect(after.find((r) => r.activity === 'alert.raise')?.data).toMatchObject({
      detector: 'refresh-token-reuse',
      principal: 'ann',
      lockId,
    });
    expect(after.find((r) => r.activity === 'user.lock')?.data).toMatchObject({
      lockId,
      userId: 'ann',
      automatic: true,
    });
    expect(seqOf('token.refresh.reuse')).toBeGreaterThan(0);
    expect(seqOf('token.refresh.reuse')).toBeLessThan(seqOf('alert.raise'));

    // Any admin may unlock an automatic lock, with a key touch and a reason; her old sessions
    // stay ended, a new sign-in works.
    const issued = await w.call(bob, 'POST', `/api/v1/admin/locks/${lockId}/unlock-challenge`);
    expect(issued.status).toBe(200);
    bob.counter += 1;
    const assertion = bob.authenticator.assert({
      challenge: (issued.body['options'] as { challenge: string }).challenge,
      origin: ORIGIN,
      rpId: 'localhost',
      counter: bob.counter,
    });
    const unlocked = await w.call(bob, 'POST', `/api/v1/admin/locks/${lockId}/unlock`, {
      assertion,
      reason: 'ann rotated her laptop key, confirmed in person',
    });
    expect(unlocked.status, JSON.stringify(unlocked.body)).toBe(200);
    expect((await store.getUser('ann'))?.status).toBe('active');
    expect((await refreshWithDpop(w.broker, desktopNext, desktop.key)).status).toBe(400);
    const fresh = await signedInSession(w, 'ann');
    expect((await refreshWithDpop(w.broker, fresh.refreshToken, fresh.key)).status).toBe(200);
  });
});
