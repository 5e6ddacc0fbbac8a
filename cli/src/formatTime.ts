/** Local time with minutes, plus how far away it is, for people; ISO 8601 goes in --json. */
export function formatTime(epochMs: number, now: number): string {
  const when = new Date(epochMs).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  const minutes = Math.round((epochMs - now) / 60_000);
  const relative =
    minutes >= 120
      ? `in ${Math.round(minutes / 60)} h`
      : minutes >= 0
        ? `in ${minutes} min`
        : `${-minutes} min ago`;
  return `${when} (${relative})`;
}
