/** "1 h 05 min", "42 min", "under 1 min", "ended": how long until `end`, for menus and tooltips. */
export function formatTimeLeft(end: number, now: number): string {
  const ms = end - now;
  if (ms <= 0) return 'ended';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'under 1 min';
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
