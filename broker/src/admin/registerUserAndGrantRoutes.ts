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
import { adminReasonSchema } from '@strongroom/shared/protocol/adminApi.js';
import { BrokerError } from '../errors/BrokerError.js';
import { adminLock } from '../locks/adminLock.js';
import { callerOf } from './pageViewer.js';

const idOf = (ctx: AdminContext): string =>
  parseBody(z.strictObject({ id: z.string().min(1).max(100) }), ctx.request.params).id;
const deviceBody = z.strictObject({
  csrf: z.string(),
  action: z.enum(['approve', 'lock', 'remove']),
  /** Locking needs a reason (the lock workflow's rule); approve and remove do not. */
  reason: z.string().max(500).optional(),
});
const revokeBody = z.strictObject({
  csrf: z.string(),
  reason: z.string().trim().min(3).max(500),
});

/** Admin only: users with their roles, devices with posture (approve, lock, remove), grants (revoke). */
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
      if (body.action === 'lock') {
        const device = await jit.store.getDevice(idOf(ctx));
        if (!device) throw new BrokerError('not_found', 'no such device');
        const reason = parseBody(z.strictObject({ reason: adminReasonSchema }), {
          reason: body.reason ?? '',
        }).reason;
        await adminLock(jit, v, { kind: 'device', user: device.userId, deviceId: device.id, reason });
        return '/admin/locks?done=locked';
      }
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
