import type { Detector, DetectorContext } from './Detector.js';
import type { DetectorsConfig, WorkingHours } from './detectorsConfigSchema.js';
import { auditUserOf } from './auditSubject.js';
import { ACCESS_ACTIVITIES, restrictedAccessOf } from './restrictedAccess.js';

const HOUR = 3_600_000;
const weekdays: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** Local hour and ISO weekday of `time` in `zone`; one formatter per zone, made once. */
export function localTime(
  formatters: Map<string, Intl.DateTimeFormat>,
  zone: string,
  time: number,
): { hour: number; weekday: number } {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      hour: 'numeric',
      weekday: 'short',
    });
    formatters.set(zone, f);
  }
  let hour = 0;
  let weekday = 1;
  for (const part of f.formatToParts(time)) {
    if (part.type === 'hour') hour = Number(part.value) % 24;
    else if (part.type === 'weekday') weekday = weekdays[part.value] ?? 1;
  }
  return { hour, weekday };
}

/** Whether a local hour and weekday fall inside working hours (`start > end` spans midnight). */
export function withinWorkingHours(hours: WorkingHours, local: { hour: number; weekday: number }): boolean {
  if (!hours.days.includes(local.weekday)) return false;
  return hours.start <= hours.end
    ? local.hour >= hours.start && local.hour < hours.end
    : local.hour >= hours.start || local.hour < hours.end;
}

/**
 * Restricted access granted outside the person's working hours, in their own zone (user attribute
 * `workingHours`, else the bundle's default). At most one finding per person per hour.
 */
export function offHoursDetector(
  config: DetectorsConfig['detectors']['off-hours-restricted'],
  context: DetectorContext,
): Detector {
  const formatters = new Map<string, Intl.DateTimeFormat>();
  const firedHour = new Map<string, number>();
  return {
    id: 'off-hours-restricted',
    activities: ACCESS_ACTIVITIES,
    observe(record, out) {
      if (restrictedAccessOf(record, context.tierOf) !== 'granted') return;
      const userId = auditUserOf(record);
      if (userId === undefined) return;
      const hourBucket = record.time - (record.time % HOUR);
      if (firedHour.get(userId) === hourBucket) return;
      const hours = context.workingHoursOf(userId);
      const local = localTime(formatters, hours.zone, record.time);
      if (withinWorkingHours(hours, local)) return;
      firedHour.set(userId, hourBucket);
      out.push({
        detector: 'off-hours-restricted',
        severity: config.severity,
        action: config.action,
        userId,
        deviceId: null,
        summary: `restricted access (${record.activity}) at ${String(local.hour).padStart(2, '0')}:xx on day ${local.weekday} in ${hours.zone}, outside ${hours.start}-${hours.end} h`,
        data: {
          activity: record.activity,
          localHour: local.hour,
          weekday: local.weekday,
          workingHours: hours,
        },
        seq: record.seq,
        time: record.time,
        dedupeKey: `off-hours-restricted:${userId}:${hourBucket}`,
      });
    },
    snapshot: () => Object.fromEntries(firedHour),
    restore(state) {
      firedHour.clear();
      for (const [k, v] of Object.entries(state as Record<string, number>)) firedHour.set(k, v);
    },
  };
}
