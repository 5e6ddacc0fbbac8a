import type { GrantView } from '@strongroom/shared/protocol/jitApi.js';
import { coveredAssets } from '../credentials/grantCoverage.js';
import type { CatalogEntity } from '../policy/parseCatalog.js';
import type { GrantRecord } from '../store/jitRecords.js';
import { grantStateAt } from './grantStateAt.js';

/**
 * The wire view of a grant; `state` is computed from stored times at `now`, `covers` from the
 * catalog of the policy bundle in force (grantCoverage.ts, the rule issuance uses). An ended grant
 * gets no `covers`: it covers nothing now, and today's catalog would not say what it covered then.
 */
export function toGrantView(
  g: GrantRecord,
  now: number,
  catalog: ReadonlyMap<string, CatalogEntity>,
): GrantView {
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
    ...(state === 'ended' ? {} : { covers: coveredAssets(g, catalog) }),
  };
}
