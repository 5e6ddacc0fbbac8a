import type { DeviceKey } from '@strongroom/shared/device/DeviceKey.js';
import { postureCheckIds, postureCheckTitles } from '@strongroom/shared/posture/PostureCheckId.js';
import type { PostureResult } from '@strongroom/shared/posture/PostureReport.js';
import { signPostureReport } from '@strongroom/shared/posture-attestation/signPostureReport.js';
import type { PostureAttestationPayload } from '@strongroom/shared/protocol/deviceApi.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UserRecord } from '../../store/records.js';
import { parseApiOptions } from '../apiOptions.js';
import { apiTestBroker, makeTestDeviceKey, type ApiTestBroker } from '../apiTestBroker.js';
import { createDeviceContextLookup, NEVER_ATTESTED } from './deviceContextFor.js';

function makeChecks(overrides: Partial<Record<string, PostureResult['status']>> = {}): PostureResult[] {
  return postureCheckIds.map((id) => ({
    id,
    title: postureCheckTitles[id],
    status: overrides[id] ?? 'pass',
    observed: `observed ${id}`,
    expected: 'expected',
    fix: '',
    durationMs: 1.5,
  }));
}

interface Enrolled {
  key: DeviceKey;
  token: string;
  deviceId: string;
}

/** Signed posture reports against the real broker: the happy path and every refusal of issue 4. */
describe('posture attestation (POST /api/v1/posture/nonce, POST /api/v1/posture)', () => {
  let b: ApiTestBroker;
  let user: UserRecord;
  let dev: Enrolled;
  beforeEach(async () => {
    b = await apiTestBroker();
    user = await b.newUser({ email: 'ada@example.test' });
    dev = await enrollNew(user, 'ada-laptop');
  });
  afterEach(async () => b?.close());

  async function enrollNew(owner: UserRecord, hostname: string): Promise<Enrolled> {
    const key = await makeTestDeviceKey();
    const token = await b.issueToken(owner, key);
    const res = await b.call({
      key,
      token,
      method: 'POST',
      path: '/api/v1/devices',
      body: {
        publicJwk: key.publicJwk,
        keyProtection: 'software',
        platform: { os: 'linux', osVersion: '12', hostname },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    return { key, token, deviceId: res.json().device.id };
  }

  const nonceFor = async (d: Enrolled): Promise<string> => {
    const res = await b.call({
      key: d.key,
      token: d.token,
      method: 'POST',
      path: '/api/v1/posture/nonce',
      body: {},
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().nonce;
  };
  const payloadFor = async (
    d: Enrolled,
    overrides: Partial<PostureAttestationPayload> = {},
  ): Promise<PostureAttestationPayload> => ({
    deviceId: d.deviceId,
    nonce: overrides.nonce ?? (await nonceFor(d)),
    iat: Math.floor(b.clock.now / 1000),
    platform: 'linux',
    agentVersion: '0.1.0',
    checks: makeChecks(),
    ...overrides,
  });
  const submit = (d: Enrolled, report: string) =>
    b.call({ key: d.key, token: d.token, method: 'POST', path: '/api/v1/posture', body: { report } });
  const lastAudit = async () => {
    const head = await b.store.auditHead();
    return (await b.store.readAudit(head.seq, 1))[0];
  };
  /** Refused with `reason`, audited (OCSF 5003, failure) with it, and nothing stored. */
  const expectRefused = async (
    res: { statusCode: number; json(): unknown },
    reason: string,
    status = 400,
  ) => {
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({
      error: 'attestation_rejected',
      error_description: expect.stringContaining(`(${reason})`),
    });
    expect(await lastAudit()).toMatchObject({
      classUid: 5003,
      statusId: 2,
      activity: 'posture.attest',
      data: { reason },
    });
    expect(await b.store.getDevicePosture(dev.deviceId)).toBeUndefined();
  };

  it('verifies a signed report, stores it as the latest posture, audits it and exposes it to policy', async () => {
    const nonce = await b.call({
      key: dev.key,
      token: dev.token,
      method: 'POST',
      path: '/api/v1/posture/nonce',
      body: { deviceId: dev.deviceId },
    });
    expect(nonce.json()).toMatchObject({
      deviceId: dev.deviceId,
      nonce: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    const report = await signPostureReport(
      dev.key,
      await payloadFor(dev, { nonce: nonce.json().nonce, checks: makeChecks({ secure_boot: 'unknown' }) }),
    );
    const res = await submit(dev, report);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      deviceId: dev.deviceId,
      compliant: true,
      checks: { secure_boot: 'unknown', firewall: 'pass' },
    });
    expect(await lastAudit()).toMatchObject({
      classUid: 5003,
      statusId: 1,
      activity: 'posture.attest',
      actor: { userId: user.id, deviceId: dev.deviceId },
      data: { compliant: true, checks: { secureBoot: 'unknown', diskEncryption: 'pass' } },
    });
    const list = await b.call({ key: dev.key, token: dev.token, method: 'GET', path: '/api/v1/devices' });
    expect(list.json().devices[0].posture).toMatchObject({ compliant: true, agentVersion: '0.1.0' });

    const lookup = createDeviceContextLookup({
      store: b.store,
      now: () => b.clock.now + 90_000,
      options: parseApiOptions(),
    });
    expect(await lookup.deviceContextFor(user.id, dev.deviceId)).toEqual({
      enrolled: true,
      compliant: true,
      checks: {
        diskEncryption: 'pass',
        firewall: 'pass',
        osPatch: 'pass',
        screenLock: 'pass',
        secureBoot: 'unknown',
        endpointProtection: 'pass',
      },
      keyProtection: 'software',
      attestationAgeSeconds: 90,
    });
    expect((await lookup.deviceContextForKey(user.id, dev.key.thumbprint)).enrolled).toBe(true);
    // Not this user's device: not enrolled, for policy.
    expect(await lookup.deviceContextFor('someone-else', dev.deviceId)).toMatchObject({
      enrolled: false,
      compliant: false,
      attestationAgeSeconds: NEVER_ATTESTED,
    });
    // Too old a report no longer counts as compliant.
    const later = createDeviceContextLookup({
      store: b.store,
      now: () => b.clock.now + 3_601_000,
      options: parseApiOptions(),
    });
    expect((await later.deviceContextFor(user.id, dev.deviceId)).compliant).toBe(false);

    // A failed check makes the device non-compliant (and a regression is audited at higher severity).
    const failing = await signPostureReport(
      dev.key,
      await payloadFor(dev, { checks: makeChecks({ firewall: 'fail' }) }),
    );
    expect((await submit(dev, failing)).json()).toMatchObject({ compliant: false });
    expect(await lastAudit()).toMatchObject({
      statusId: 1,
      severityId: 3,
      data: { compliant: false, previousCompliant: true },
    });
  });

  it('refuses a report signed by another device of the same user', async () => {
    const other = await enrollNew(user, 'ada-desktop');
    // The other device's key signs a report naming this device, sent by this device.
    const signedByOther = await signPostureReport(other.key, await payloadFor(dev));
    await expectRefused(await submit(dev, signedByOther), 'wrong_device_key');
    // Sent by the other device itself, naming this device: the payload does not match its signer.
    const named = await signPostureReport(other.key, await payloadFor(dev, { nonce: await nonceFor(other) }));
    await expectRefused(await submit(other, named), 'device_mismatch');
    // Signed by the other key but claiming this device's kid: the signature does not verify.
    const forgedKid = await signPostureReport(
      { ...other.key, thumbprint: dev.key.thumbprint },
      await payloadFor(dev),
    );
    await expectRefused(await submit(dev, forgedKid), 'bad_signature');
    expect(await lastAudit()).toMatchObject({ severityId: 4 });
  });

  it("refuses a report from an unknown device and from another user's device", async () => {
    const stranger = await makeTestDeviceKey();
    await expectRefused(
      await submit(dev, await signPostureReport(stranger, await payloadFor(dev))),
      'unknown_device',
    );
    const eve = await b.newUser({ email: 'eve@example.test' });
    const eveDevice = await enrollNew(eve, 'eve-laptop');
    const res = await submit(dev, await signPostureReport(eveDevice.key, await payloadFor(dev)));
    await expectRefused(res, 'not_your_device');
    expect(JSON.stringify(res.json())).toContain('not an enrolled device');
    // A device that is not enrolled cannot even get a nonce.
    const unenrolled = await makeTestDeviceKey();
    const nonce = await b.call({
      key: unenrolled,
      token: await b.issueToken(user, unenrolled),
      method: 'POST',
      path: '/api/v1/posture/nonce',
      body: {},
    });
    expect(nonce.statusCode).toBe(400);
    expect(await lastAudit()).toMatchObject({
      classUid: 5003,
      statusId: 2,
      activity: 'posture.nonce',
      data: { reason: 'unknown_device' },
    });
  });

  it('refuses a replayed nonce, an expired nonce, and a nonce issued to another device', async () => {
    const payload = await payloadFor(dev);
    const report = await signPostureReport(dev.key, payload);
    expect((await submit(dev, report)).statusCode).toBe(200);
    const posture = await b.store.getDevicePosture(dev.deviceId);
    const replay = await submit(dev, report);
    expect(replay.statusCode).toBe(400);
    expect(replay.json().error_description).toContain('(replayed_nonce)');
    expect(await lastAudit()).toMatchObject({
      classUid: 5003,
      statusId: 2,
      data: { reason: 'replayed_nonce' },
    });
    expect(await b.store.getDevicePosture(dev.deviceId)).toEqual(posture);

    const stale = await payloadFor(dev);
    b.clock.now += 121_000;
    try {
      const res = await submit(
        dev,
        await signPostureReport(dev.key, { ...stale, iat: Math.floor(b.clock.now / 1000) }),
      );
      expect(res.json().error_description).toContain('(expired_nonce)');
    } finally {
      b.clock.now -= 121_000;
    }
    const other = await enrollNew(user, 'ada-desktop');
    const res = await submit(
      dev,
      await signPostureReport(dev.key, await payloadFor(dev, { nonce: await nonceFor(other) })),
    );
    expect(res.json().error_description).toContain('(unknown_nonce)');
    expect(await b.store.getDevicePosture(dev.deviceId)).toEqual(posture);
  });

  it('refuses an old (or future) timestamp', async () => {
    const now = Math.floor(b.clock.now / 1000);
    await expectRefused(
      await submit(dev, await signPostureReport(dev.key, await payloadFor(dev, { iat: now - 600 }))),
      'stale_report',
    );
    await expectRefused(
      await submit(dev, await signPostureReport(dev.key, await payloadFor(dev, { iat: now + 600 }))),
      'stale_report',
    );
  });

  it('refuses a report for a locked or removed device, and cuts the device itself off', async () => {
    const other = await enrollNew(user, 'ada-desktop');
    const payload = await payloadFor(dev);
    for (const status of ['locked', 'removed'] as const) {
      await b.store.setDeviceStatus(dev.deviceId, status);
      // Its report, carried by another (active) device of the user: refused, 403, audited (5003).
      await expectRefused(
        await submit(other, await signPostureReport(dev.key, payload)),
        'device_not_active',
        403,
      );
      // The device itself: its DPoP-bound tokens no longer work anywhere in the API (audited, 6003).
      const own = await submit(dev, await signPostureReport(dev.key, payload));
      expect(own.statusCode).toBe(401);
      expect(own.json()).toMatchObject({
        error: 'invalid_token',
        error_description: `this device is ${status}`,
      });
      expect(await lastAudit()).toMatchObject({
        classUid: 6003,
        statusId: 2,
        data: { error: 'invalid_token' },
      });
      const nonce = await b.call({
        key: dev.key,
        token: dev.token,
        method: 'POST',
        path: '/api/v1/posture/nonce',
        body: {},
      });
      expect(nonce.statusCode).toBe(401);
    }
    // A device waiting for an admin's approval may call the API but may not attest.
    await b.store.setDeviceStatus(dev.deviceId, 'pending');
    await expectRefused(
      await submit(dev, await signPostureReport(dev.key, payload)),
      'device_not_active',
      403,
    );
    const nonce = await b.call({
      key: dev.key,
      token: dev.token,
      method: 'POST',
      path: '/api/v1/posture/nonce',
      body: {},
    });
    expect(nonce.statusCode).toBe(403);
  });

  it('refuses a tampered check list (signature mismatch)', async () => {
    const report = await signPostureReport(
      dev.key,
      await payloadFor(dev, { checks: makeChecks({ firewall: 'fail' }) }),
    );
    const [header, payload, signature] = report.split('.');
    const claims = JSON.parse(
      Buffer.from(payload ?? '', 'base64url').toString(),
    ) as PostureAttestationPayload;
    const tampered = { ...claims, checks: claims.checks.map((c) => ({ ...c, status: 'pass' as const })) };
    const forged = `${header}.${Buffer.from(JSON.stringify(tampered)).toString('base64url')}.${signature}`;
    await expectRefused(await submit(dev, forged), 'bad_signature');
    const dropped = { ...claims, checks: claims.checks.filter((c) => c.id !== 'firewall') };
    await expectRefused(
      await submit(
        dev,
        `${header}.${Buffer.from(JSON.stringify(dropped)).toString('base64url')}.${signature}`,
      ),
      'bad_signature',
    );
  });

  it('refuses an oversized report before reading it', async () => {
    const huge = await signPostureReport(dev.key, {
      ...(await payloadFor(dev)),
      agentVersion: 'x'.repeat(20_000),
    });
    await expectRefused(await submit(dev, huge), 'oversized');
  });

  it('refuses unknown fields, malformed payloads and wrong JWS types, naming the problem', async () => {
    const payload = await payloadFor(dev);
    const extra = await signPostureReport(dev.key, {
      ...payload,
      admin: true,
    } as unknown as PostureAttestationPayload);
    const res = await submit(dev, extra);
    await expectRefused(res, 'invalid_payload');
    expect(res.json()).toMatchObject({ error_description: expect.stringContaining('admin: unknown field') });
    const checkExtra = await signPostureReport(dev.key, {
      ...payload,
      checks: [{ ...makeChecks()[0], note: 'x' }],
    } as unknown as PostureAttestationPayload);
    await expectRefused(await submit(dev, checkExtra), 'invalid_payload');
    const repeated = await signPostureReport(dev.key, {
      ...payload,
      checks: [...makeChecks(), ...makeChecks().slice(0, 1)],
    });
    await expectRefused(await submit(dev, repeated), 'invalid_payload');
    await expectRefused(await submit(dev, 'not-a-jws'), 'malformed');
    const [, body, sig] = (await signPostureReport(dev.key, payload)).split('.');
    const jwtTyp = `${Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: dev.key.thumbprint })).toString('base64url')}.${body}.${sig}`;
    await expectRefused(await submit(dev, jwtTyp), 'wrong_type');
    const noneAlg = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'strongroom-posture+jwt', kid: dev.key.thumbprint })).toString('base64url')}.${body}.`;
    expect((await submit(dev, noneAlg)).statusCode).toBe(400);
    const wrongBody = await b.call({
      key: dev.key,
      token: dev.token,
      method: 'POST',
      path: '/api/v1/posture',
      body: { report: 'a.b.c', extra: 1 },
    });
    expect(wrongBody.json()).toMatchObject({ error: 'invalid_request' });
  });
});
