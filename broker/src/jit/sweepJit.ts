import { apiAuditEvent } from '../api/apiAuditEvent.js';
import type { GrantRecord } from '../store/jitRecords.js';
import { authorizeSessionEvent } from './authorizeSessionEvent.js';
import { endGrantInTx } from './endGrantInTx.js';
import type { JitDeps } from './JitDeps.js';

const MINUTE = 60_000;
const BATCH = 200;
const broker = { kind: 'broker' as const };

/**
 * One pass over stored times (ARCHITECTURE.md: expiry never depends on a timer a restart can lose;
 * grantStateAt already refuses an expired grant). It only records what time did: grants expiring
 * in 10 and 2 minutes get a warning event; grants past their end, approved grants past their
 * activation window and pending requests past their deadline are marked ended/expired, audited
 * (OCSF 3003 / 6003) and announced. Events carry dedupe keys, so any number of sweepers on any
 * number of instances record each fact once. Returns how many changes it made.
 */
export async function sweepJit(deps: Pick<JitDeps, 'store' | 'now' | 'eventsCommitted'>): Promise<number> {
  const { store } = deps;
  const now = deps.now();
  let changes = 0;
  for (const grant of await store.listActiveGrantsExpiringBy(now + 10 * MINUTE, BATCH)) {
    const left = (grant.expiresAt ?? now) - now;
    if (left <= 0) {
      if (await endGrant(deps, grant, now, 'expired')) changes++;
      continue;
    }
    const mark = left <= 2 * MINUTE ? 2 : 10;
    const added = await store.appendUserEvent({
      userId: grant.userId,
      type: 'grant.expiring',
      data: { grantId: grant.id, target: grant.target, expiresAt: grant.expiresAt, minutesLeft: mark },
      createdAt: now,
      dedupeKey: `grant:${grant.id}:t${mark}`,
    });
    if (added) changes++;
  }
  for (const grant of await store.listUnactivatedGrantsPast(now, BATCH)) {
    if (await endGrant(deps, grant, now, 'not_activated')) changes++;
  }
  for (const request of await store.listPendingRequestsPast(now, BATCH)) {
    const done = await store.transaction(async (tx) => {
      if (!(await tx.setAccessRequestStatus(request.id, 'pending', 'expired', { at: now, by: null })))
        return false;
      await tx.appendAudit(
        apiAuditEvent('api', {
          name: 'jit.request.expire',
          outcome: 'success',
          actor: broker,
          time: now,
          method: 'PUT',
          data: { requestId: request.id, requesterId: request.requesterId, target: request.target },
        }),
      );
      await tx.appendUserEvent({
        userId: request.requesterId,
        type: 'request.expired',
        data: { requestId: request.id, target: request.target },
        createdAt: now,
        dedupeKey: `request:${request.id}:expired`,
      });
      return true;
    });
    if (done) changes++;
  }
  if (changes > 0) deps.eventsCommitted();
  return changes;
}

async function endGrant(
  deps: Pick<JitDeps, 'store'>,
  grant: GrantRecord,
  now: number,
  reason: 'expired' | 'not_activated',
): Promise<boolean> {
  // The grant ended at its stored time, not when the sweeper noticed.
  const at = reason === 'expired' ? (grant.expiresAt ?? now) : grant.activateBy;
  return deps.store.transaction(async (tx) => {
    if (!(await endGrantInTx(tx, grant, at, reason, { actor: broker, time: now }))) return false;
    await tx.appendAudit(
      authorizeSessionEvent('other', {
        name: 'jit.grant.end',
        outcome: 'success',
        actor: broker,
        time: now,
        data: { grantId: grant.id, holder: grant.userId, target: grant.target, reason, endedAt: at },
      }),
    );
    await tx.appendUserEvent({
      userId: grant.userId,
      type: 'grant.ended',
      data: { grantId: grant.id, target: grant.target, reason, endedAt: at },
      createdAt: now,
      dedupeKey: `grant:${grant.id}:ended`,
    });
    return true;
  });
}
