import type { DeviceKey } from '@strongroom/shared/device/DeviceKey.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UserRecord } from '../../store/records.js';
import { parseApiOptions } from '../apiOptions.js';
import { apiTestBroker, makeTestDeviceKey, type ApiTestBroker } from '../apiTestBroker.js';
import { approveDevice } from './approveDevice.js';
import { enrollDevice } from './enrollDevice.js';

const platform = {
  os: 'linux',
  osVersion: 'Debian GNU/Linux 12 (kernel 6.1.0)',
  hostname: 'ada-laptop',
  model: 'ThinkPad X1',
};

describe('device enrollment (POST /api/v1/devices, GET /api/v1/devices)', () => {
  let b: ApiTestBroker;
  let user: UserRecord;
  let key: DeviceKey;
  let token: string;
  beforeEach(async () => {
    b = await apiTestBroker();
    user = await b.newUser({ email: 'ada@example.test' });
    key = await makeTestDeviceKey();
    token = await b.issueToken(user, key);
  });
  afterEach(async () => b?.close());

  const enroll = (
    k: DeviceKey,
    t: string,
    body: unknown = { publicJwk: k.publicJwk, keyProtection: 'software', platform },
  ) => b.call({ key: k, token: t, method: 'POST', path: '/api/v1/devices', body });
  const audits = async () => b.store.readAudit(1, 1000);

  it('binds the DPoP key to the user, records and audits it (OCSF 5001), and is idempotent', async () => {
    const res = await enroll(key, token);
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      outcome: 'enrolled',
      replaced: [],
      device: {
        thumbprint: key.thumbprint,
        keyProtection: 'software',
        hostname: 'ada-laptop',
        model: 'ThinkPad X1',
        serial: null,
        status: 'active',
        current: true,
        posture: null,
      },
    });
    const stored = await b.store.getDeviceByThumbprint(key.thumbprint);
    expect(stored).toMatchObject({ userId: user.id, publicJwk: key.publicJwk });
    const again = await enroll(key, token);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ outcome: 'existing', device: { id: body.device.id } });
    const records = (await audits()).filter((r) => r.classUid === 5001);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      activity: 'device.enroll',
      statusId: 1,
      actor: { userId: user.id, deviceId: body.device.id },
      data: { thumbprint: key.thumbprint, hostname: 'ada-laptop' },
    });
    const list = await b.call({ key, token, method: 'GET', path: '/api/v1/devices' });
    expect(list.json()).toMatchObject({ devices: [{ id: body.device.id, current: true }] });
  });

  it('refuses a public key that is not the DPoP proof key, and audits it', async () => {
    const other = await makeTestDeviceKey();
    const res = await enroll(key, token, { publicJwk: other.publicJwk, keyProtection: 'software', platform });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      error: 'invalid_request',
      error_description: expect.stringMatching(/DPoP proof key/),
    });
    expect(await b.store.listDevices(user.id)).toEqual([]);
    expect((await audits()).at(-1)).toMatchObject({
      classUid: 5001,
      statusId: 2,
      data: { reason: 'key_not_proof_key' },
    });
  });

  it('refuses unknown fields and private key members in the body, changing nothing', async () => {
    const extra = await enroll(key, token, {
      publicJwk: key.publicJwk,
      keyProtection: 'software',
      platform,
      admin: true,
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error_description).toMatch(/unknown field/);
    const priv = await enroll(key, token, {
      publicJwk: { ...key.publicJwk, d: 'x'.repeat(43) },
      keyProtection: 'software',
      platform,
    });
    expect(priv.statusCode).toBe(400);
    const badProtection = await enroll(key, token, {
      publicJwk: key.publicJwk,
      keyProtection: 'hsm',
      platform,
    });
    expect(badProtection.statusCode).toBe(400);
    expect(await b.store.listDevices(user.id)).toEqual([]);
  });

  it('refuses a key already enrolled to another account (409), audited as high severity', async () => {
    expect((await enroll(key, token)).statusCode).toBe(201);
    const mallory = await b.newUser({ email: 'mallory@example.test' });
    const malloryToken = await b.issueToken(mallory, key);
    const res = await enroll(key, malloryToken);
    expect(res.statusCode).toBe(409);
    expect((await audits()).at(-1)).toMatchObject({
      classUid: 5001,
      statusId: 2,
      severityId: 4,
      data: { reason: 'key_of_other_user' },
    });
    expect(await b.store.listDevices(mallory.id)).toEqual([]);
  });

  it('re-enrollment after key loss: a new key for the same host replaces the old device, audited', async () => {
    const first = (await enroll(key, token)).json();
    const newKey = await makeTestDeviceKey();
    const newToken = await b.issueToken(user, newKey);
    const res = await enroll(newKey, newToken, {
      publicJwk: newKey.publicJwk,
      keyProtection: 'tpm',
      platform: { ...platform, hostname: 'ADA-LAPTOP' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      outcome: 'reenrolled',
      replaced: [first.device.id],
      device: { status: 'active', keyProtection: 'tpm' },
    });
    expect(await b.store.getDevice(first.device.id)).toMatchObject({
      status: 'replaced',
      replacedBy: body.device.id,
    });
    expect((await audits()).at(-1)).toMatchObject({
      classUid: 5001,
      activity: 'device.reenroll',
      statusId: 1,
      data: { replaced: [first.device.id] },
    });
    // The old key is cut off: it can no longer attest, nor re-enroll itself back.
    const nonce = await b.call({ key, token, method: 'POST', path: '/api/v1/posture/nonce', body: {} });
    expect(nonce.statusCode).toBe(401);
    const back = await enroll(key, token);
    expect(back.statusCode).toBe(401);
    expect(back.json()).toMatchObject({
      error: 'invalid_token',
      error_description: 'this device is replaced',
    });
    // A different machine is a second device, not a re-enrollment.
    const laptop2 = await makeTestDeviceKey();
    const second = await enroll(laptop2, await b.issueToken(user, laptop2), {
      publicJwk: laptop2.publicJwk,
      keyProtection: 'software',
      platform: { ...platform, hostname: 'ada-desktop' },
    });
    expect(second.json()).toMatchObject({ outcome: 'enrolled', replaced: [] });
  });

  it('requireAdminApprovalForReenrollment: the new device waits, pending, until another admin approves', async () => {
    const deps = {
      store: b.store,
      provider: b.provider,
      origin: b.issuer,
      now: () => b.clock.now,
      options: parseApiOptions({ requireAdminApprovalForReenrollment: true }),
    };
    const caller = (k: DeviceKey) => ({
      user,
      thumbprint: k.thumbprint,
      clientId: 'strongroom-cli',
      grantId: 'g',
      scopes: new Set<string>(),
      srcIp: '127.0.0.1',
    });
    const first = await enrollDevice(deps, caller(key), {
      publicJwk: { ...key.publicJwk },
      keyProtection: 'software',
      platform,
    });
    expect(first.device.status).toBe('active');
    const newKey = await makeTestDeviceKey();
    const second = await enrollDevice(deps, caller(newKey), {
      publicJwk: { ...newKey.publicJwk },
      keyProtection: 'software',
      platform,
    });
    expect(second).toMatchObject({ outcome: 'reenrolled', device: { status: 'pending' } });
    await expect(
      approveDevice(b.store, { userId: user.id }, second.device.id, b.clock.now),
    ).rejects.toMatchObject({ code: 'forbidden' });
    const admin = await b.newUser({ email: 'admin@example.test' });
    await approveDevice(b.store, { userId: admin.id }, second.device.id, b.clock.now);
    expect((await b.store.getDevice(second.device.id))?.status).toBe('active');
    expect((await audits()).at(-1)).toMatchObject({
      classUid: 5001,
      activity: 'device.approve',
      actor: { kind: 'admin', userId: admin.id },
    });
    await expect(
      approveDevice(b.store, { userId: admin.id }, second.device.id, b.clock.now),
    ).rejects.toMatchObject({ code: 'conflict' });
  });
});
