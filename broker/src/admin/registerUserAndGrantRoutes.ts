import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseBody } from '../http/parseBody.js';
import { changeGrant } from '../jit/changeGrant.js';
import { grantsPage } from '../pages/admin/grantsPage.js';
import { usersPage } from '../pages/admin/usersPage.js';
import type { AdminDeps } from './AdminDeps.js';
import { deviceRows, liveGrants } from './adminOverview.js';
import { adminFormRoute, adminPageRoute, type AdminContext } from './adminRoute.js';
import { changeDeviceStatus } from './changeDeviceStatus.js';
import { callerOf } from './pageViewer.js';

const idOf = (ctx: AdminContext): string =>
  parseBody(z.strictObject({ id: z.string().min(1).max(100) }), ctx.request.params).id;
const deviceBody = z.strictObject({
  csrf: z.string(),
  action: z.enum(['approve', 'lock', 'unlock', 'remove']),
});
const revokeBody = z.strictObject({
  csrf: z.string(),
  reason: z.string().trim().min(3).max(500),
});

/** Admin only: users with their roles, devices with posture (approve, lock, unlock, remove), grants (revoke). */
export function registerUserAndGrantRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { jit } = deps;
  adminPageRoute(app, deps, '/admin/users', { adminOnly: true }, async (ctx) => {
    const users = await jit.store.listUsers();
    const withRoles = await Promise.all(
      users.map(async (u) => ({
        id: u.id,
        email: u.email,
        status: u.status,
        roles: await jit.store.listMemberships(u.id),
      })),
    );
    const devices = (await deviceRows(jit)).map((d) => ({
      id: d.device.id,
      email: d.user.email,
      hostname: d.device.hostname,
      os: `${d.device.os} ${d.device.osVersion}`,
      keyProtection: d.device.keyProtection,
      status: d.device.status,
      compliant: d.compliant,
      attestedAt: d.attestedAt,
      problems: d.problems,
    }));
    return usersPage(ctx.shell('/admin/users'), withRoles, devices);
  });

  adminFormRoute(
    app,
    deps,
    '/admin/devices/:id/status',
    { adminOnly: true, body: deviceBody },
    async (ctx, body) => {
      const v = ctx.viewer;
      await changeDeviceStatus(
        jit.store,
        { userId: v.user.id, email: v.user.email, srcIp: v.srcIp },
        idOf(ctx),
        body.action,
        jit.now(),
      );
      return '/admin/users?done=device';
    },
  );

  adminPageRoute(app, deps, '/admin/grants', { adminOnly: true }, async (ctx) => {
    const rows = (await liveGrants(jit)).map(({ grant: g, email }) => ({
      id: g.id,
      email,
      target: `${g.target.type} ${g.target.id}`,
      tier: g.tier,
      state: g.state,
      emergency: g.emergency,
      activatedAt: g.activatedAt,
      endsAt: g.state === 'active' ? g.expiresAt : g.activateBy,
    }));
    return grantsPage(ctx.shell('/admin/grants'), rows);
  });

  adminFormRoute(
    app,
    deps,
    '/admin/grants/:id/revoke',
    { adminOnly: true, body: revokeBody },
    async (ctx, body) => {
      const id = parseBody(z.strictObject({ id: z.uuid() }), ctx.request.params).id;
      await changeGrant(jit, callerOf(ctx.viewer), id, { kind: 'revoke', reason: body.reason });
      return '/admin/grants?done=revoked';
    },
  );
}
