/**
 * Time left as people read it at a glance: `42m`, `1h 05m`, `<1m`, `0m` once over. Minutes round
 * up, so "1m" means "still running, less than two minutes left" and never shows 0 while it lasts.
 */
export function formatTimeLeft(ms: number): string {
  if (ms <= 0) return '0m';
  if (ms < 60_000) return '<1m';
  const minutes = Math.ceil(ms / 60_000);
  if (minutes < 60) return `${minutes}m`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}
