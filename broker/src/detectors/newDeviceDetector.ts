import type { Detector, DetectorContext } from './Detector.js';
import type { DetectorsConfig } from './detectorsConfigSchema.js';
import { auditDeviceOf, auditUserOf } from './auditSubject.js';
import { ACCESS_ACTIVITIES, restrictedAccessOf } from './restrictedAccess.js';

interface Enrolled {
  deviceId: string;
  at: number;
  fired: boolean;
}

/**
 * A device enrolled (or re-enrolled: a new key) minutes ago asking for restricted access: the
 * pattern of a stolen session on an attacker's machine. The record's device must be the new one
 * when the record names a device; otherwise any restricted ask by that person in the window counts.
 * One finding per enrolled device.
 */
export function newDeviceDetector(
  config: DetectorsConfig['detectors']['new-device-restricted'],
  context: DetectorContext,
): Detector {
  const within = config.withinMinutes * 60_000;
  const latest = new Map<string, Enrolled>();
  return {
    id: 'new-device-restricted',
    activities: ['device.enroll', 'device.reenroll', ...ACCESS_ACTIVITIES],
    observe(record, out) {
      const userId = auditUserOf(record);
      if (userId === undefined) return;
      if (record.activity === 'device.enroll' || record.activity === 'device.reenroll') {
        const deviceId = auditDeviceOf(record);
        if (record.statusId === 1 && deviceId !== undefined)
          latest.set(userId, { deviceId, at: record.time, fired: false });
        return;
      }
      const enrolled = latest.get(userId);
      if (enrolled === undefined || enrolled.fired) return;
      if (record.time - enrolled.at > within) {
        latest.delete(userId);
        return;
      }
      const deviceId = auditDeviceOf(record);
      if (deviceId !== undefined && deviceId !== enrolled.deviceId) return;
      if (restrictedAccessOf(record, context.tierOf) === undefined) return;
      enrolled.fired = true;
      const minutes = Math.max(0, Math.round((record.time - enrolled.at) / 60_000));
      out.push({
        detector: 'new-device-restricted',
        severity: config.severity,
        action: config.action,
        userId,
        deviceId: enrolled.deviceId,
        summary: `restricted access asked (${record.activity}) ${minutes} min after enrolling device ${enrolled.deviceId}`,
        data: { activity: record.activity, enrolledAt: enrolled.at, minutesAfterEnrollment: minutes },
        seq: record.seq,
        time: record.time,
        dedupeKey: `new-device-restricted:${enrolled.deviceId}:${enrolled.at}`,
      });
    },
    snapshot: () => Object.fromEntries(latest),
    restore(state) {
      latest.clear();
      for (const [k, v] of Object.entries(state as Record<string, Enrolled>)) latest.set(k, v);
    },
  };
}
