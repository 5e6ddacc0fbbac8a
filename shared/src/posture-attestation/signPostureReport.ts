import type { DeviceKey } from '../device/DeviceKey.js';
import { POSTURE_REPORT_TYP, type PostureAttestationPayload } from '../protocol/deviceApi.js';

const b64url = (data: Uint8Array | string): string =>
  Buffer.from(typeof data === 'string' ? new TextEncoder().encode(data) : data).toString('base64url');

/**
 * Signs a posture report as a compact JWS (RFC 7515 §7.1), ES256 with the device key, `kid` = the
 * key's RFC 7638 thumbprint (how the broker finds the enrolled key). Signing goes through
 * `DeviceKey.sign`, so a hardware key signs without its private half ever leaving the hardware.
 */
export async function signPostureReport(key: DeviceKey, payload: PostureAttestationPayload): Promise<string> {
  const header = { alg: 'ES256', typ: POSTURE_REPORT_TYP, kid: key.thumbprint };
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = await key.sign(new TextEncoder().encode(signingInput));
  return `${signingInput}.${b64url(signature)}`;
}
