import type { FastifyInstance } from 'fastify';
import { alertsPage, locksPage } from '../pages/admin/alertsLocksPages.js';
import type { AdminDeps } from './AdminDeps.js';
import { adminPageRoute } from './adminRoute.js';

/** Alerts with webhook dead letters, and locks (in force and ended), for admins. */
export function registerAlertLockRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { store } = deps.jit;
  const emails = async () => new Map((await store.listUsers()).map((u) => [u.id, u.email]));
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

  adminPageRoute(app, deps, '/admin/locks', { adminOnly: true }, async (ctx) => {
    const byId = await emails();
    const locks = (await store.listLocks({ limit: 200 })).map((l) => ({
      ...l,
      email: byId.get(l.userId) ?? l.userId,
      lockedByEmail: l.lockedBy === null ? '' : (byId.get(l.lockedBy) ?? l.lockedBy),
    }));
    return locksPage(ctx.shell('/admin/locks'), locks);
  });
}
