import type { SessionSummary } from './SessionSummary.js';

/** Refresh once 80% of the access token's life has passed, leaving margin for clock skew and latency. */
export const REFRESH_AT_FRACTION = 0.8;

export function refreshDueAt(summary: SessionSummary): number {
  const life = summary.accessTokenExpiresAt - summary.accessTokenIssuedAt;
  return summary.accessTokenIssuedAt + Math.max(0, life) * REFRESH_AT_FRACTION;
}

export function isAccessTokenFresh(summary: SessionSummary, now: number): boolean {
  return now < refreshDueAt(summary);
}
