import type { GrantRecord } from '../store/jitRecords.js';

export type GrantState = 'approved' | 'active' | 'ended';

/**
 * Whether a grant is in force at `now`, from its stored times alone (ARCHITECTURE.md: "Expiry is
 * computed from stored times, never from a timer that a restart can lose"). A grant whose time is
 * up is `ended` even if no sweeper has marked it yet, so an expired grant never allows, whatever
 * happened to the broker meanwhile.
 */
export function grantStateAt(grant: GrantRecord, now: number): GrantState {
  if (grant.status === 'approved') return now < grant.activateBy ? 'approved' : 'ended';
  if (grant.status === 'active') {
    return grant.expiresAt !== null && now < grant.expiresAt && grant.activatedAt !== null
      ? 'active'
      : 'ended';
  }
  return 'ended';
}
