import type { GrantView } from '@strongroom/shared/protocol/jitApi.js';
import { auditRefusal } from '../api/auditRefusal.js';
import type { ApiCaller } from '../api/auth/ApiCaller.js';
import { BrokerError } from '../errors/BrokerError.js';
import { authorizeSessionEvent } from './authorizeSessionEvent.js';
import { endGrantInTx } from './endGrantInTx.js';
import { grantStateAt } from './grantStateAt.js';
import type { JitDeps } from './JitDeps.js';
import { toGrantView } from './toGrantView.js';

export type GrantChange = { kind: 'activate' } | { kind: 'drop' } | { kind: 'revoke'; reason: string };

/**
 * `activate` (the holder; the clock starts now and only inside the activation window), `drop` (the
 * holder ends it early) and `revoke` (an admin; the route checks the role). Drop and revoke end the
 * grant at once: policy reads grants from the store on every decision (policyInputsFor.ts).
 */
export async function changeGrant(
  deps: JitDeps,
  caller: ApiCaller,
  grantId: string,
  change: GrantChange,
): Promise<{ grant: GrantView }> {
  const { store } = deps;
  const now = deps.now();
  const actor = {
    kind: change.kind === 'revoke' ? ('admin' as const) : ('user' as const),
    userId: caller.user.id,
    email: caller.user.email,
  };
  const name = `jit.grant.${change.kind}`;
  const outcome = await store.transaction(async (tx) => {
    const grant = await tx.getGrant(grantId);
    if (!grant || (change.kind !== 'revoke' && grant.userId !== caller.user.id))
      return { error: new BrokerError('not_found', 'no such grant'), reason: 'unknown_grant' };
    const state = grantStateAt(grant, now);
    if (change.kind === 'activate') {
      if (
        state !== 'approved' ||
        !(await tx.activateGrant(grant.id, now, now + grant.durationMinutes * 60_000))
      ) {
        const why = grant.status === 'approved' ? 'its activation window has passed' : `it is ${state}`;
        return {
          error: new BrokerError('grant_ended', `the grant cannot be activated: ${why}`),
          reason: grant.status === 'approved' ? 'activation_window_passed' : state,
        };
      }
    } else {
      if (state === 'ended')
        return { error: new BrokerError('grant_ended', 'the grant has already ended'), reason: 'ended' };
      await endGrantInTx(tx, grant, now, change.kind === 'drop' ? 'dropped' : 'revoked', {
        actor,
        time: now,
        srcIp: caller.srcIp,
      });
    }
    const updated = (await tx.getGrant(grant.id)) ?? grant;
    await tx.appendAudit(
      authorizeSessionEvent(change.kind === 'activate' ? 'assignPrivileges' : 'other', {
        name,
        outcome: 'success',
        actor,
        time: now,
        srcIp: caller.srcIp,
        severityId: change.kind === 'revoke' ? 3 : 1,
        data: {
          grantId: grant.id,
          requestId: grant.requestId,
          holder: grant.userId,
          target: grant.target,
          expiresAt: updated.expiresAt,
          ...(change.kind === 'revoke' ? { reason: change.reason } : {}),
        },
      }),
    );
    await tx.appendUserEvent({
      userId: grant.userId,
      type: change.kind === 'activate' ? 'grant.activated' : 'grant.ended',
      data: {
        grantId: grant.id,
        target: grant.target,
        ...(change.kind === 'activate' ? { expiresAt: updated.expiresAt } : { reason: updated.endReason }),
      },
      createdAt: now,
      ...(change.kind === 'activate' ? {} : { dedupeKey: `grant:${grant.id}:ended` }),
    });
    return { view: toGrantView(updated, now, deps.policy.bundle.catalog) };
  });
  if (outcome.error !== undefined) {
    return auditRefusal(
      store,
      authorizeSessionEvent('other', {
        name,
        outcome: 'failure',
        actor,
        time: now,
        srcIp: caller.srcIp,
        data: { grantId, reason: outcome.reason },
      }),
      outcome.error,
    );
  }
  deps.eventsCommitted();
  return { grant: outcome.view };
}
