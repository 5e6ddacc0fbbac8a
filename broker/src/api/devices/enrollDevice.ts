import { randomUUID } from 'node:crypto';
import type {
  DeviceEnrollmentRequest,
  DeviceEnrollmentResponse,
} from '@strongroom/shared/protocol/deviceApi.js';
import { calculateJwkThumbprint } from 'jose';
import { BrokerError } from '../../errors/BrokerError.js';
import type { DeviceRecord } from '../../store/deviceRecords.js';
import type { ApiDeps } from '../ApiDeps.js';
import { apiAuditEvent } from '../apiAuditEvent.js';
import { auditRefusal } from '../auditRefusal.js';
import type { ApiCaller } from '../auth/ApiCaller.js';
import { toDeviceView } from './toDeviceView.js';

type Decision =
  | { ok: true; response: DeviceEnrollmentResponse }
  | { ok: false; error: BrokerError; reason: string; severityId: number; deviceId?: string };

const sameMachine = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * `POST /api/v1/devices`: binds the caller's device key to the caller. The key must be the one
 * that signed this request's DPoP proof (it IS the device key, shared/src/device), so nobody can
 * enroll a key they do not hold. A new key for a hostname the user already has a live device for
 * is a re-enrollment after key loss: the old devices are marked `replaced` in the same transaction
 * and the new one is `pending` when `requireAdminApprovalForReenrollment` is set.
 */
export async function enrollDevice(
  deps: ApiDeps,
  caller: ApiCaller,
  body: DeviceEnrollmentRequest,
): Promise<DeviceEnrollmentResponse> {
  const { store } = deps;
  const now = deps.now();
  const actor = { kind: 'user' as const, userId: caller.user.id, email: caller.user.email };
  const facts = { thumbprint: caller.thumbprint, hostname: body.platform.hostname, os: body.platform.os };
  const refuse = (error: BrokerError, reason: string, severityId: number, deviceId?: string) =>
    auditRefusal(
      store,
      apiAuditEvent('inventory', {
        name: 'device.enroll',
        outcome: 'failure',
        actor: deviceId ? { ...actor, deviceId } : actor,
        time: now,
        srcIp: caller.srcIp,
        severityId,
        data: { reason, ...facts },
      }),
      error,
    );

  if ((await calculateJwkThumbprint(body.publicJwk, 'sha256')) !== caller.thumbprint) {
    return refuse(
      new BrokerError(
        'invalid_request',
        'the device key must be the key that signs this request (its DPoP proof key)',
      ),
      'key_not_proof_key',
      3,
    );
  }

  const decision = await store.transaction(async (tx): Promise<Decision> => {
    const existing = await tx.getDeviceByThumbprint(caller.thumbprint);
    if (existing) {
      if (existing.userId !== caller.user.id) {
        return {
          ok: false,
          error: new BrokerError('conflict', 'this device key is enrolled to another account'),
          reason: 'key_of_other_user',
          severityId: 4,
        };
      }
      if (existing.status !== 'active' && existing.status !== 'pending') {
        return {
          ok: false,
          error: new BrokerError('forbidden', `this device is ${existing.status}; ask an administrator`),
          reason: `device_${existing.status}`,
          severityId: 3,
          deviceId: existing.id,
        };
      }
      await tx.touchDevice(existing.id, now);
      const posture = await tx.getDevicePosture(existing.id);
      return {
        ok: true,
        response: {
          device: toDeviceView(existing, posture, caller.thumbprint),
          outcome: 'existing',
          replaced: [],
        },
      };
    }
    const live = (await tx.listDevices(caller.user.id)).filter(
      (d) =>
        (d.status === 'active' || d.status === 'pending') && sameMachine(d.hostname, body.platform.hostname),
    );
    const reenrolled = live.length > 0;
    const device: DeviceRecord = {
      id: randomUUID(),
      userId: caller.user.id,
      thumbprint: caller.thumbprint,
      publicJwk: { ...body.publicJwk },
      keyProtection: body.keyProtection,
      os: body.platform.os,
      osVersion: body.platform.osVersion,
      hostname: body.platform.hostname,
      model: body.platform.model ?? null,
      serial: body.platform.serial ?? null,
      status: reenrolled && deps.options.requireAdminApprovalForReenrollment ? 'pending' : 'active',
      enrolledAt: now,
      lastSeenAt: now,
      replacedBy: null,
    };
    await tx.createDevice(device);
    for (const old of live) await tx.setDeviceStatus(old.id, 'replaced', device.id);
    await tx.appendAudit(
      apiAuditEvent('inventory', {
        name: reenrolled ? 'device.reenroll' : 'device.enroll',
        outcome: 'success',
        actor: { ...actor, deviceId: device.id },
        time: now,
        srcIp: caller.srcIp,
        severityId: reenrolled ? 2 : 1,
        data: {
          deviceId: device.id,
          thumbprint: device.thumbprint,
          keyProtection: device.keyProtection,
          os: device.os,
          osVersion: device.osVersion,
          hostname: device.hostname,
          model: device.model,
          serial: device.serial,
          status: device.status,
          replaced: live.map((d) => d.id),
        },
      }),
    );
    return {
      ok: true,
      response: {
        device: toDeviceView(device, undefined, caller.thumbprint),
        outcome: reenrolled ? 'reenrolled' : 'enrolled',
        replaced: live.map((d) => d.id),
      },
    };
  });
  if (!decision.ok) return refuse(decision.error, decision.reason, decision.severityId, decision.deviceId);
  return decision.response;
}
