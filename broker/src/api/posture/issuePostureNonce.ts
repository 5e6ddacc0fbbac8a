import { createHash, randomBytes } from 'node:crypto';
import type { PostureNonceResponse } from '@strongroom/shared/protocol/deviceApi.js';
import type { ApiDeps } from '../ApiDeps.js';
import { apiAuditEvent } from '../apiAuditEvent.js';
import { auditRefusal } from '../auditRefusal.js';
import type { ApiCaller } from '../auth/ApiCaller.js';
import { refusal, refusalError, type PostureRefusal } from './PostureRefusal.js';

export const hashNonce = (nonce: string): string => createHash('sha256').update(nonce).digest('base64url');

/**
 * `POST /api/v1/posture/nonce`: a fresh 256-bit nonce, single use, short-lived, bound to the caller
 * and to the device whose key signed the request (only its SHA-256 is stored). Only an enrolled,
 * active device of the caller gets one.
 */
export async function issuePostureNonce(
  deps: ApiDeps,
  caller: ApiCaller,
  requestedDeviceId?: string,
): Promise<PostureNonceResponse> {
  const now = deps.now();
  const device = await deps.store.getDeviceByThumbprint(caller.thumbprint);
  let refused: PostureRefusal | undefined;
  if (!device || device.userId !== caller.user.id)
    refused = refusal(
      'unknown_device',
      'this device is not enrolled; run `strongroom posture` after `strongroom login`',
    );
  else if (device.status !== 'active')
    refused = refusal('device_not_active', `the device is ${device.status}`, device.id);
  else if (requestedDeviceId !== undefined && requestedDeviceId !== device.id)
    refused = refusal('wrong_device_key', 'a nonce is issued only to the device that asks for it', device.id);
  if (refused || !device) {
    const r = refused ?? refusal('unknown_device', 'this device is not enrolled');
    return auditRefusal(
      deps.store,
      apiAuditEvent('compliance', {
        name: 'posture.nonce',
        outcome: 'failure',
        actor: {
          kind: 'user',
          userId: caller.user.id,
          email: caller.user.email,
          ...(r.deviceId ? { deviceId: r.deviceId } : {}),
        },
        time: now,
        srcIp: caller.srcIp,
        data: { reason: r.reason, thumbprint: caller.thumbprint },
      }),
      refusalError(r),
    );
  }
  const nonce = randomBytes(32).toString('base64url');
  const expiresAt = now + deps.options.postureNonceTtlSeconds * 1000;
  await deps.store.createPostureNonce({
    nonceHash: hashNonce(nonce),
    userId: caller.user.id,
    deviceId: device.id,
    createdAt: now,
    expiresAt,
    usedAt: null,
  });
  return { nonce, deviceId: device.id, expiresAt: new Date(expiresAt).toISOString() };
}
