import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { BrokerError } from '../errors/BrokerError.js';
import { parseBody } from '../http/parseBody.js';
import { sendErrorPage, sendPage } from '../http/sendPage.js';
import type { AdminShell } from '../pages/admin/adminLayout.js';
import type { AdminDeps } from './AdminDeps.js';
import { pageViewerOf, requireAdmin, verifyPageCsrf, type PageViewer } from './pageViewer.js';

export interface AdminContext {
  viewer: PageViewer;
  request: FastifyRequest;
  shell(current: string): AdminShell;
}

/** Fixed texts only: a query parameter never puts its own words on an admin page. */
const notices: Readonly<Record<string, string>> = {
  denied: 'Request denied.',
  revoked: 'Grant revoked.',
  device: 'Device status changed.',
  unlocked: 'Unlocked.',
  acked: 'Alert acknowledged.',
  locked: 'Locked: sessions, grants and credentials ended.',
  started: 'Access review started.',
  decided: 'Review decision recorded.',
  verified: 'Audit chain verified (see the state below).',
};

function noticeOf(request: FastifyRequest): string {
  const done = (request.query as Record<string, unknown> | undefined)?.['done'];
  const text = typeof done === 'string' && Object.hasOwn(notices, done) ? notices[done] : undefined;
  return text ? `<p class="notice" role="status" data-testid="notice">${text}</p>` : '';
}

export const shellOf = (viewer: PageViewer, current: string, notice = ''): AdminShell => ({
  email: viewer.user.email,
  isAdmin: viewer.isAdmin,
  csrf: viewer.session.csrf,
  current,
  notice,
});

async function contextOf(deps: AdminDeps, request: FastifyRequest, adminOnly: boolean) {
  const viewer = await pageViewerOf(deps.jit.store, request, deps.jit.now());
  if (!viewer) return undefined;
  if (adminOnly) requireAdmin(viewer);
  const notice = noticeOf(request);
  return { viewer, request, shell: (current: string) => shellOf(viewer, current, notice) };
}

/** A GET page: not signed in → the sign-in page; errors → an error page (never a stack). */
export function adminPageRoute(
  app: FastifyInstance,
  deps: AdminDeps,
  path: string,
  opts: { adminOnly: boolean },
  render: (ctx: AdminContext) => Promise<string>,
): void {
  app.get(path, async (request, reply) => {
    try {
      const ctx = await contextOf(deps, request, opts.adminOnly);
      if (!ctx) return reply.redirect('/admin/sign-in', 303);
      return sendPage(reply, await render(ctx));
    } catch (error) {
      return sendErrorPage(reply, error, 'Admin');
    }
  });
}

/**
 * The checks every state-changing admin request passes before anything runs: signed in, the
 * session's CSRF token and same origin (pageViewer.ts), then the admin role when asked.
 */
async function checkedContext(
  deps: AdminDeps,
  request: FastifyRequest,
  adminOnly: boolean,
): Promise<AdminContext> {
  const ctx = await contextOf(deps, request, false);
  if (!ctx) throw new BrokerError('unauthorized', 'sign in first (your session may have ended)');
  const raw = request.body as { csrf?: unknown } | undefined;
  verifyPageCsrf(
    request,
    ctx.viewer,
    typeof raw?.csrf === 'string' ? raw.csrf : undefined,
    deps.jit.rp.origin,
  );
  if (adminOnly) requireAdmin(ctx.viewer);
  return ctx;
}

/** A form POST (checkedContext, then a strict body); answers with a 303 to the next page (Post/Redirect/Get). */
export function adminFormRoute<S extends z.ZodType<{ csrf: string }>>(
  app: FastifyInstance,
  deps: AdminDeps,
  path: string,
  opts: { adminOnly: boolean; body: S },
  act: (ctx: AdminContext, body: z.infer<S>, reply: FastifyReply) => Promise<string>,
): void {
  app.post(path, async (request, reply) => {
    try {
      const ctx = await checkedContext(deps, request, opts.adminOnly);
      return reply.redirect(await act(ctx, parseBody(opts.body, request.body), reply), 303);
    } catch (error) {
      return sendErrorPage(reply, error, 'Not done');
    }
  });
}

/** A JSON POST of a key-touch ceremony (ceremony.js): the same checks, errors as JSON for its script. */
export function adminCeremonyRoute<S extends z.ZodType<{ csrf: string }>, T>(
  app: FastifyInstance,
  deps: AdminDeps,
  path: string,
  opts: { adminOnly: boolean; body: S },
  act: (ctx: AdminContext, body: z.infer<S>) => Promise<T>,
): void {
  app.post(path, async (request) => {
    const ctx = await checkedContext(deps, request, opts.adminOnly);
    return act(ctx, parseBody(opts.body, request.body));
  });
}
