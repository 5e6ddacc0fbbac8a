import type { SoftwareDeviceKey } from '@strongroom/shared/device/DeviceKey.js';
import { postureCheckIds } from '@strongroom/shared/posture/PostureCheckId.js';
import { apiTestBroker, makeTestDeviceKey, type ApiTestBroker } from '../api/apiTestBroker.js';
import type { DevicePostureCheck } from '../store/deviceRecords.js';
import { makeDevice } from '../store/deviceStoreConformance.js';
import type { UserRecord } from '../store/records.js';
import { makeSoftAuthenticator, type SoftAuthenticator } from '../webauthn/softAuthenticator.test-support.js';
import { sweepJit } from './sweepJit.js';

/** One person of a JIT test: a user with memberships, a security key, an enrolled device, a token. */
export interface Person {
  user: UserRecord;
  key: SoftwareDeviceKey;
  token: string;
  deviceId: string;
  authenticator: SoftAuthenticator;
  counter: number;
}

export interface Reply {
  status: number;
  body: Record<string, unknown> & { error?: string; error_description?: string };
}

export interface JitWorld {
  broker: ApiTestBroker;
  person(id: string, memberships?: readonly string[]): Promise<Person>;
  call(p: Person, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Reply>;
  /** Asks for the approval challenge and answers it with the person's key (a touch with UV). */
  approve(p: Person, requestId: string, tweak?: { userVerified?: boolean; counter?: number }): Promise<Reply>;
  /** Records a verified posture report for the person's device (all pass unless overridden). */
  attest(p: Person, status?: Partial<Record<string, DevicePostureCheck['status']>>): Promise<void>;
  sweep(): Promise<number>;
  auditNames(): Promise<
    Array<{
      activity: string;
      classUid: number;
      statusId: number;
      severityId?: number;
      data?: Record<string, unknown>;
    }>
  >;
  close(): Promise<void>;
}

const ORIGIN = 'http://localhost:7700';

/** The real broker (createBrokerServer, real SQLite store, default policy bundle) driven with inject(). */
export async function jitWorld(): Promise<JitWorld> {
  const broker = await apiTestBroker();
  const { store, clock } = broker;
  const world: JitWorld = {
    broker,
    async person(id, memberships = []) {
      const user = await broker.newUser({ id, email: `${id}@example.test` });
      for (const name of memberships) {
        await store.upsertRole({ name, description: name });
        await store.addMembership(user.id, name);
      }
      const authenticator = makeSoftAuthenticator();
      await store.addCredential({
        id: authenticator.credentialId,
        userId: user.id,
        publicKey: authenticator.cosePublicKey,
        counter: 0,
        transports: ['usb'],
        aaguid: '00000000-0000-0000-0000-000000000000',
        backedUp: false,
        createdAt: clock.now,
        lastUsedAt: clock.now,
      });
      const key = await makeTestDeviceKey();
      const device = makeDevice(user.id, {
        thumbprint: key.thumbprint,
        // The real key, so signed posture reports (POST /api/v1/posture) verify.
        publicJwk: key.publicJwk,
        enrolledAt: clock.now,
        lastSeenAt: clock.now,
      });
      await store.createDevice(device);
      const token = await broker.issueToken(user, key, { expiresIn: 7 * 24 * 3600 });
      const p: Person = { user, key, token, deviceId: device.id, authenticator, counter: 0 };
      await world.attest(p);
      return p;
    },
    async call(p, method, path, body) {
      const res = await broker.call({
        key: p.key,
        token: p.token,
        method,
        path,
        ...(body === undefined ? {} : { body }),
      });
      return { status: res.statusCode, body: res.body === '' ? {} : (res.json() as Reply['body']) };
    },
    async approve(p, requestId, tweak = {}) {
      const issued = await world.call(p, 'POST', `/api/v1/requests/${requestId}/approval-challenge`);
      if (issued.status !== 200) return issued;
      const options = issued.body['options'] as { challenge: string };
      p.counter += 1;
      const assertion = p.authenticator.assert({
        challenge: options.challenge,
        origin: ORIGIN,
        rpId: 'localhost',
        counter: tweak.counter ?? p.counter,
        ...(tweak.userVerified === undefined ? {} : { userVerified: tweak.userVerified }),
      });
      return world.call(p, 'POST', `/api/v1/requests/${requestId}/approve`, { assertion });
    },
    async attest(p, status = {}) {
      const checks = postureCheckIds.map((id) => ({
        id,
        status: status[id] ?? ('pass' as const),
        observed: 'test',
      }));
      await store.putDevicePosture({
        deviceId: p.deviceId,
        attestedAt: clock.now,
        compliant: checks.every((c) => c.status !== 'fail'),
        agentVersion: 'test',
        platform: 'linux',
        checks,
      });
    },
    sweep: () => sweepJit({ store, now: () => clock.now, eventsCommitted: () => undefined }),
    async auditNames() {
      return (await store.readAudit(1, 10_000)).map((r) => ({
        activity: r.activity,
        classUid: r.classUid,
        statusId: r.statusId,
        ...(r.severityId === undefined ? {} : { severityId: r.severityId }),
        ...(r.data === undefined ? {} : { data: r.data }),
      }));
    },
    close: () => broker.close(),
  };
  return world;
}
