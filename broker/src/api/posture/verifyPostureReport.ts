import { createPublicKey, type KeyObject } from 'node:crypto';
import {
  MAX_POSTURE_REPORT_BYTES,
  POSTURE_REPORT_TYP,
  postureAttestationPayloadSchema,
  type PostureAttestationPayload,
} from '@strongroom/shared/protocol/deviceApi.js';
import { compactVerify, decodeProtectedHeader } from 'jose';
import type { DeviceRecord } from '../../store/deviceRecords.js';
import type { StoreOps } from '../../store/Store.js';
import { refusal, type PostureRefusal } from './PostureRefusal.js';

export interface VerifiedPostureReport {
  ok: true;
  device: DeviceRecord;
  payload: PostureAttestationPayload;
}

export interface PostureReportContext {
  store: Pick<StoreOps, 'getDeviceByThumbprint'>;
  /** The authenticated caller and the key of its DPoP proof (its device key). */
  userId: string;
  callerThumbprint: string;
  now: () => number;
  maxSkewSeconds: number;
}

const compactHeader = /^[A-Za-z0-9_-]{1,1000}$/;
const keyCache = new Map<string, KeyObject>();

/** The enrolled public key; cached by thumbprint (a thumbprint names exactly one key, RFC 7638). */
function deviceKey(device: DeviceRecord): KeyObject {
  let key = keyCache.get(device.thumbprint);
  if (!key) {
    key = createPublicKey({ key: { ...device.publicJwk }, format: 'jwk' });
    if (keyCache.size > 10_000) keyCache.clear();
    keyCache.set(device.thumbprint, key);
  }
  return key;
}

/**
 * Verifies a signed posture report (compact JWS, ES256, `kid` = the device key thumbprint) without
 * changing anything: size, header, the device (enrolled to THIS user, active, and the one calling),
 * the signature against the ENROLLED key, then the payload (strict zod) and its time. The nonce is
 * consumed by the caller, in the transaction that stores the result.
 */
export async function verifyPostureReport(
  ctx: PostureReportContext,
  jws: string,
): Promise<VerifiedPostureReport | PostureRefusal> {
  if (jws.length > MAX_POSTURE_REPORT_BYTES)
    return refusal('oversized', `a report may be at most ${MAX_POSTURE_REPORT_BYTES} bytes`);
  // Three base64url parts; each part's alphabet is checked as it is decoded (header here, the
  // rest by compactVerify), which is cheaper than a regular expression over the whole report.
  const dots = jws.split('.');
  if (dots.length !== 3 || !compactHeader.test(dots[0] ?? ''))
    return refusal('malformed', 'not a compact JWS');
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jws);
  } catch {
    return refusal('malformed', 'the JWS header is not valid JSON');
  }
  if (header.alg !== 'ES256' || header.typ !== POSTURE_REPORT_TYP || typeof header.kid !== 'string')
    return refusal('wrong_type', `expected an ES256 JWS of typ ${POSTURE_REPORT_TYP} with a kid`);

  const device = await ctx.store.getDeviceByThumbprint(header.kid);
  if (!device) return refusal('unknown_device', 'the signing key is not an enrolled device');
  // Same words as an unknown device: a caller learns nothing about other users' devices.
  if (device.userId !== ctx.userId)
    return refusal('not_your_device', 'the signing key is not an enrolled device', device.id);
  if (device.status !== 'active')
    return refusal('device_not_active', `the device is ${device.status}`, device.id);
  if (device.thumbprint !== ctx.callerThumbprint)
    return refusal('wrong_device_key', 'a report must be sent by the device it describes', device.id);

  let payloadBytes: Uint8Array;
  try {
    ({ payload: payloadBytes } = await compactVerify(jws, deviceKey(device), { algorithms: ['ES256'] }));
  } catch {
    return refusal('bad_signature', 'the signature does not match the enrolled device key', device.id);
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payloadBytes));
  } catch {
    return refusal('invalid_payload', 'the payload is not JSON', device.id);
  }
  const parsed = postureAttestationPayloadSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((i) =>
        i.code === 'unrecognized_keys'
          ? `${[...i.path, ...i.keys].join('.')}: unknown field`
          : `${i.path.join('.') || 'payload'}: ${i.code}`,
      );
    return refusal('invalid_payload', problems.join('; '), device.id);
  }
  const payload = parsed.data;
  if (payload.deviceId !== device.id)
    return refusal(
      'device_mismatch',
      'the report names another device than the one that signed it',
      device.id,
    );
  if (payload.platform !== device.os)
    return refusal(
      'device_mismatch',
      `the report is from ${payload.platform}, the device is ${device.os}`,
      device.id,
    );
  if (Math.abs(ctx.now() / 1000 - payload.iat) > ctx.maxSkewSeconds)
    return refusal(
      'stale_report',
      `iat is more than ${ctx.maxSkewSeconds} s from the broker's clock`,
      device.id,
    );
  return { ok: true, device, payload };
}
