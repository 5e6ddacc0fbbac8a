import type { GrantView } from '@strongroom/shared/protocol/jitApi.js';
import type { GrantRecord } from '../store/jitRecords.js';
import { grantStateAt } from './grantStateAt.js';

/** The wire view of a grant; `state` is computed from stored times at `now`. */
export function toGrantView(g: GrantRecord, now: number): GrantView {
  const state = grantStateAt(g, now);
  const lapsed = state === 'ended' && g.status !== 'ended';
  return {
    id: g.id,
    requestId: g.requestId,
    userId: g.userId,
    target: { ...g.target },
    tier: g.tier,
    durationMinutes: g.durationMinutes,
    state,
    emergency: g.emergency,
    activateBy: g.activateBy,
    activatedAt: g.activatedAt,
    expiresAt: g.expiresAt,
    endedAt: lapsed ? (g.status === 'active' ? g.expiresAt : g.activateBy) : g.endedAt,
    endReason: lapsed ? (g.status === 'active' ? 'expired' : 'not_activated') : g.endReason,
  };
}
