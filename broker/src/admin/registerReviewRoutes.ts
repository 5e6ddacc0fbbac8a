import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { BrokerError } from '../errors/BrokerError.js';
import { parseBody } from '../http/parseBody.js';
import { reviewPage, reviewsPage } from '../pages/admin/reviewsPage.js';
import { decideReview } from '../reviews/decideReview.js';
import { startReviewCampaign } from '../reviews/startReviewCampaign.js';
import type { AdminDeps } from './AdminDeps.js';
import { adminFormRoute, adminPageRoute, type AdminContext } from './adminRoute.js';
import type { PageViewer } from './pageViewer.js';

const startBody = z.strictObject({ csrf: z.string(), name: z.string().trim().max(100).default('') });
const decideBody = z.strictObject({
  csrf: z.string(),
  userId: z.string().min(1).max(200),
  role: z.string().min(1).max(200),
  decision: z.enum(['keep', 'remove']),
});
const campaignIdOf = (ctx: AdminContext): string =>
  parseBody(z.strictObject({ id: z.uuid() }), ctx.request.params).id;
const adminActor = (v: PageViewer) => ({ kind: 'admin' as const, userId: v.user.id, email: v.user.email });

/** Access reviews (admins are the reviewers): list and start campaigns, keep or remove memberships. */
export function registerReviewRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { jit } = deps;
  adminPageRoute(app, deps, '/admin/reviews', { adminOnly: true }, async (ctx) =>
    reviewsPage(
      ctx.shell('/admin/reviews'),
      await jit.store.listReviewCampaigns({ limit: 50 }),
      jit.policy.bundle.manifest.reviews,
    ),
  );

  adminFormRoute(app, deps, '/admin/reviews', { adminOnly: true, body: startBody }, async (ctx, body) => {
    const campaign = await startReviewCampaign(
      jit,
      { actor: adminActor(ctx.viewer), srcIp: ctx.viewer.srcIp },
      body.name === '' ? undefined : body.name,
    );
    return `/admin/reviews/${campaign.id}?done=started`;
  });

  adminPageRoute(app, deps, '/admin/reviews/:id', { adminOnly: true }, async (ctx) => {
    const campaign = await jit.store.getReviewCampaign(campaignIdOf(ctx));
    if (!campaign) throw new BrokerError('not_found', 'no such access review');
    const emails = new Map((await jit.store.listUsers()).map((u) => [u.id, u.email]));
    const items = (await jit.store.listReviewItems(campaign.id)).map((i) => ({
      ...i,
      email: emails.get(i.userId) ?? i.userId,
    }));
    return reviewPage(ctx.shell('/admin/reviews'), campaign, items);
  });

  adminFormRoute(
    app,
    deps,
    '/admin/reviews/:id/decide',
    { adminOnly: true, body: decideBody },
    async (ctx, body) => {
      const campaignId = campaignIdOf(ctx);
      await decideReview(
        jit,
        { actor: adminActor(ctx.viewer), srcIp: ctx.viewer.srcIp },
        { campaignId, userId: body.userId, roleName: body.role },
        body.decision,
      );
      return `/admin/reviews/${campaignId}?done=decided`;
    },
  );
}
