import type { DeviceView } from '@strongroom/shared/protocol/deviceApi.js';
import type { DevicePostureRecord, DeviceRecord } from '../../store/deviceRecords.js';

const iso = (t: number): string => new Date(t).toISOString();

/** A device as the API shows it to its owner: no key material beyond the public thumbprint. */
export function toDeviceView(
  device: DeviceRecord,
  posture: DevicePostureRecord | undefined,
  callerThumbprint: string,
): DeviceView {
  return {
    id: device.id,
    thumbprint: device.thumbprint,
    keyProtection: device.keyProtection,
    os: device.os,
    osVersion: device.osVersion,
    hostname: device.hostname,
    model: device.model,
    serial: device.serial,
    status: device.status,
    enrolledAt: iso(device.enrolledAt),
    replacedBy: device.replacedBy,
    current: device.thumbprint === callerThumbprint,
    posture: posture
      ? {
          attestedAt: iso(posture.attestedAt),
          compliant: posture.compliant,
          agentVersion: posture.agentVersion,
          checks: posture.checks.map((c) => ({ id: c.id, status: c.status, observed: c.observed })),
        }
      : null,
  };
}
