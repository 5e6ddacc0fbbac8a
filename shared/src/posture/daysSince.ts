const dayMs = 86_400_000;

/** Whole days from `then` to `now`; undefined when `then` is in the future (a clock or log we cannot trust). */
export function daysSince(now: Date, then: Date): number | undefined {
  const elapsed = now.getTime() - then.getTime();
  if (Number.isNaN(elapsed) || elapsed < -dayMs) return undefined;
  return Math.max(0, Math.floor(elapsed / dayMs));
}

/** `YYYY-MM-DD` of a date, for `observed` texts. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** A wall-clock time written by a local log (no zone): read in the machine's own zone, as it was written. */
export function localTime(
  year: string,
  month: string,
  day: string,
  hour = '0',
  minute = '0',
  second = '0',
): Date {
  return new Date(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
}

export function latest(dates: readonly Date[]): Date | undefined {
  const valid = dates.filter((date) => !Number.isNaN(date.getTime()));
  return valid.length === 0 ? undefined : new Date(Math.max(...valid.map((date) => date.getTime())));
}
