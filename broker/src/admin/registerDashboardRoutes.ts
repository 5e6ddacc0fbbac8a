import { denyReasonSchema, webauthnAssertionSchema } from '@strongroom/shared/protocol/jitApi.js';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseBody } from '../http/parseBody.js';
import { approveRequest } from '../jit/approveRequest.js';
import { closeRequest } from '../jit/closeRequest.js';
import { approvableRequest, issueApproval } from '../jit/issueApproval.js';
import { listRequests } from '../jit/listRequests.js';
import { adminHeader, reasonForm } from '../pages/admin/adminLayout.js';
import { dashboardPage, type DashboardData } from '../pages/admin/dashboardPage.js';
import { approvePage } from '../pages/approvePage.js';
import type { AdminDeps } from './AdminDeps.js';
import { deviceRows, liveGrants } from './adminOverview.js';
import { adminCeremonyRoute, adminFormRoute, adminPageRoute, type AdminContext } from './adminRoute.js';
import { callerOf } from './pageViewer.js';

const csrfOnly = z.strictObject({ csrf: z.string() });
const approveBody = z.strictObject({ csrf: z.string(), response: webauthnAssertionSchema });
const denyBody = z.strictObject({ csrf: z.string(), reason: denyReasonSchema });
const idOf = (ctx: AdminContext): string =>
  parseBody(z.strictObject({ id: z.uuid() }), ctx.request.params).id;

/**
 * The dashboard and the approver's part: pending requests the viewer may approve (listRequests'
 * `toReview`, i.e. Cedar `approve` decides who sees what), approve with a key touch bound to the
 * request (approvalChallenge.ts, same rules as the API) and deny with a reason.
 */
export function registerDashboardRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { jit } = deps;
  adminPageRoute(app, deps, '/admin', { adminOnly: false }, async (ctx) => {
    const data: DashboardData = { pending: await listRequests(jit, callerOf(ctx.viewer), true) };
    if (ctx.viewer.isAdmin) {
      const [grants, devices, users] = await Promise.all([
        liveGrants(jit),
        deviceRows(jit),
        jit.store.listUsers(),
      ]);
      const emails = new Map(users.map((u) => [u.id, u.email]));
      data.admin = {
        grants: grants.map(({ grant, email }) => ({
          id: grant.id,
          email,
          target: `${grant.target.type} ${grant.target.id}`,
          state: grant.state,
          endsAt: grant.state === 'active' ? grant.expiresAt : grant.activateBy,
        })),
        alerts: (await jit.store.listAlerts({ status: 'open', limit: 20 })).map((a) => ({
          id: a.id,
          severity: a.severity,
          title: a.summary,
          principal: a.userId === null ? '' : (emails.get(a.userId) ?? a.userId),
          at: a.createdAt,
        })),
        lockedUsers: (await jit.store.listLocks({ active: true, limit: 50 })).map((l) => ({
          email: `${emails.get(l.userId) ?? l.userId}${l.kind === 'device' ? ` (device ${l.deviceId ?? ''})` : ''}`,
          since: l.lockedAt,
          reason: l.reason,
        })),
        failingDevices: devices
          .filter((d) => (d.device.status === 'active' || d.device.status === 'pending') && !d.compliant)
          .map((d) => ({
            email: d.user.email,
            hostname: d.device.hostname,
            status: d.device.status,
            problems: d.problems,
          })),
      };
    }
    return dashboardPage(ctx.shell('/admin'), data);
  });

  adminPageRoute(app, deps, '/admin/requests/:id', { adminOnly: false }, async (ctx) => {
    const id = idOf(ctx);
    const { request } = await approvableRequest(jit, callerOf(ctx.viewer), id);
    const deny = `<h2>Or deny it</h2>${reasonForm({
      action: `/admin/requests/${id}/deny`,
      csrf: ctx.viewer.session.csrf,
      label: 'Reason for denying',
      button: 'Deny request',
      idSuffix: 'deny',
      testId: 'deny',
    })}`;
    return approvePage({
      action: `/admin/requests/${id}/approve`,
      csrfToken: ctx.viewer.session.csrf,
      request,
      header: adminHeader(ctx.shell('/admin')),
      after: deny,
    });
  });

  adminCeremonyRoute(
    app,
    deps,
    '/admin/requests/:id/approve/options',
    { adminOnly: false, body: csrfOnly },
    async (ctx) => {
      const { options } = await issueApproval(jit, callerOf(ctx.viewer), idOf(ctx));
      return options;
    },
  );

  adminCeremonyRoute(
    app,
    deps,
    '/admin/requests/:id/approve',
    { adminOnly: false, body: approveBody },
    async (ctx, body) => {
      const { request } = await approveRequest(jit, callerOf(ctx.viewer), idOf(ctx), {
        assertion: body.response,
      });
      return {
        message:
          request.status === 'approved'
            ? 'Approved. The requester can activate the grant now.'
            : `Approval recorded (${request.approvals.length} of ${request.approvalsRequired}).`,
      };
    },
  );

  adminFormRoute(
    app,
    deps,
    '/admin/requests/:id/deny',
    { adminOnly: false, body: denyBody },
    async (ctx, body) => {
      await closeRequest(jit, callerOf(ctx.viewer), idOf(ctx), { kind: 'deny', reason: body.reason });
      return '/admin?done=denied';
    },
  );
}
