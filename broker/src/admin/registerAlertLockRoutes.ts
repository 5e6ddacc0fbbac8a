import { adminReasonSchema } from '@strongroom/shared/protocol/adminApi.js';
import { webauthnAssertionSchema } from '@strongroom/shared/protocol/jitApi.js';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ackAlert } from '../alerts/ackAlert.js';
import { BrokerError } from '../errors/BrokerError.js';
import { parseBody } from '../http/parseBody.js';
import { adminLock } from '../locks/adminLock.js';
import { issueUnlockChallenge } from '../locks/unlockChallenge.js';
import { unlockPrincipal } from '../locks/unlockPrincipal.js';
import { alertsPage, locksPage } from '../pages/admin/alertsLocksPages.js';
import { lockPage } from '../pages/admin/lockPage.js';
import type { AdminDeps } from './AdminDeps.js';
import { adminCeremonyRoute, adminFormRoute, adminPageRoute, type AdminContext } from './adminRoute.js';

const idOf = (ctx: AdminContext): string =>
  parseBody(z.strictObject({ id: z.uuid() }), ctx.request.params).id;
const userIdOf = (ctx: AdminContext): string =>
  parseBody(z.strictObject({ id: z.string().min(1).max(200) }), ctx.request.params).id;
const csrfOnly = z.strictObject({ csrf: z.string() });
const unlockBody = z.strictObject({
  csrf: z.string(),
  reason: adminReasonSchema,
  response: webauthnAssertionSchema,
});
const ackBody = z.strictObject({ csrf: z.string(), note: z.string().trim().max(500).default('') });
const lockBody = z.strictObject({ csrf: z.string(), reason: adminReasonSchema });

/**
 * Alerts (acknowledge) with webhook dead letters, and locks: lock a person from the pages, unlock
 * with a reason and a key touch bound to the lock. The lock workflow is the alerts helper's
 * (locks/: adminLock, unlockPrincipal with every rule: never the locker, never the locked person).
 */
export function registerAlertLockRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { jit } = deps;
  const { store } = jit;
  const emails = async () => new Map((await store.listUsers()).map((u) => [u.id, u.email]));
  const withEmails = async <L extends { userId: string; lockedBy: string | null }>(locks: L[]) => {
    const byId = await emails();
    return locks.map((l) => ({
      ...l,
      email: byId.get(l.userId) ?? l.userId,
      lockedByEmail: l.lockedBy === null ? '' : (byId.get(l.lockedBy) ?? l.lockedBy),
    }));
  };

  adminPageRoute(app, deps, '/admin/alerts', { adminOnly: true }, async (ctx) => {
    const byId = await emails();
    const alerts = (await store.listAlerts({ limit: 200 })).map((a) => ({
      ...a,
      email: a.userId === null ? '' : (byId.get(a.userId) ?? a.userId),
    }));
    const dead = (await store.listWebhookDeliveries({ status: 'dead', limit: 100 })).map((d) => ({
      id: d.id,
      destination: new URL(d.url).origin,
      event: d.event,
      attempts: d.attempts,
      lastStatus: d.lastStatus,
      lastError: d.lastError,
      updatedAt: d.updatedAt,
    }));
    return alertsPage(ctx.shell('/admin/alerts'), alerts, dead);
  });

  adminFormRoute(
    app,
    deps,
    '/admin/alerts/:id/ack',
    { adminOnly: true, body: ackBody },
    async (ctx, body) => {
      await ackAlert(jit, ctx.viewer, idOf(ctx), body.note === '' ? undefined : body.note);
      return '/admin/alerts?done=acked';
    },
  );

  adminPageRoute(app, deps, '/admin/locks', { adminOnly: true }, async (ctx) =>
    locksPage(ctx.shell('/admin/locks'), await withEmails(await store.listLocks({ limit: 200 }))),
  );

  adminFormRoute(
    app,
    deps,
    '/admin/users/:id/lock',
    { adminOnly: true, body: lockBody },
    async (ctx, body) => {
      await adminLock(jit, ctx.viewer, { kind: 'user', user: userIdOf(ctx), reason: body.reason });
      return '/admin/locks?done=locked';
    },
  );

  adminPageRoute(app, deps, '/admin/locks/:id', { adminOnly: true }, async (ctx) => {
    const lock = await store.getLock(idOf(ctx));
    if (!lock) throw new BrokerError('not_found', 'no such lock');
    const [view] = await withEmails([lock]);
    return lockPage(ctx.shell('/admin/locks'), view ?? { ...lock, email: '', lockedByEmail: '' });
  });

  adminCeremonyRoute(
    app,
    deps,
    '/admin/locks/:id/unlock/options',
    { adminOnly: true, body: csrfOnly },
    async (ctx) => {
      const lock = await store.getLock(idOf(ctx));
      if (!lock) throw new BrokerError('not_found', 'no such lock');
      // Refused before the key prompt; unlockPrincipal checks all of it again, with the touch.
      if (lock.unlockedAt !== null) throw new BrokerError('conflict', 'the lock has already ended');
      if (lock.userId === ctx.viewer.user.id)
        throw new BrokerError('forbidden', 'nobody unlocks their own account or device');
      if (lock.lockedBy === ctx.viewer.user.id)
        throw new BrokerError('forbidden', 'unlocking needs a different admin than the one who locked');
      return issueUnlockChallenge(store, jit.rp, lock, ctx.viewer.user.id, jit.now());
    },
  );

  adminCeremonyRoute(
    app,
    deps,
    '/admin/locks/:id/unlock',
    { adminOnly: true, body: unlockBody },
    async (ctx, body) => {
      await unlockPrincipal(jit, ctx.viewer, idOf(ctx), { assertion: body.response, reason: body.reason });
      return { message: 'Unlocked. They can sign in again.' };
    },
  );
}
