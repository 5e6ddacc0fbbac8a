import type { FastifyInstance } from 'fastify';
import type { JitDeps } from '../jit/JitDeps.js';
import { makeChallengeStore } from '../webauthn/challengeStore.js';
import type { AdminDeps } from './AdminDeps.js';
import { AuditChainState } from './auditChainState.js';
import { registerAdminSessionRoutes } from './registerAdminSessionRoutes.js';
import { registerAlertLockRoutes } from './registerAlertLockRoutes.js';
import { registerAuditRoutes } from './registerAuditRoutes.js';
import { registerDashboardRoutes } from './registerDashboardRoutes.js';
import { registerPolicyRoutes } from './registerPolicyRoutes.js';
import { registerReviewRoutes } from './registerReviewRoutes.js';
import { sweepReviews } from '../reviews/sweepReviews.js';
import { registerUserAndGrantRoutes } from './registerUserAndGrantRoutes.js';

export interface AdminPagesOptions {
  secureCookies: boolean;
  /** Absolute lifetime of an admin page session from its key touch (default 2 hours). */
  sessionTtlSeconds?: number;
  /** How often access-review deadlines and schedules are looked at (default 60 s). */
  reviewSweepSeconds?: number;
}

/**
 * The server-rendered pages for approvers and admins under `/admin` (issue 9): plain HTML forms
 * (urlencoded bodies, parsed only inside this plugin) that work without script, plus same-origin
 * scripts for key touches. Security headers (strict CSP, no framing) come from securityHeaders.ts.
 */
export async function registerAdminPages(
  app: FastifyInstance,
  jit: JitDeps,
  options: AdminPagesOptions,
): Promise<AdminDeps> {
  const deps: AdminDeps = {
    jit,
    challenges: makeChallengeStore(jit.store, jit.now),
    secureCookies: options.secureCookies,
    sessionTtlSeconds: options.sessionTtlSeconds ?? 2 * 3600,
  };
  const chain = new AuditChainState(jit.store, jit.now);
  await app.register(async (admin) => {
    admin.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_request, body, done) => {
        // Later duplicates of a field win; the route's strict schema then checks the whole body.
        done(null, Object.fromEntries(new URLSearchParams(String(body))));
      },
    );
    registerAdminSessionRoutes(admin, deps);
    registerDashboardRoutes(admin, deps);
    registerUserAndGrantRoutes(admin, deps);
    registerAuditRoutes(admin, deps, chain);
    registerPolicyRoutes(admin, deps);
    registerReviewRoutes(admin, deps);
    registerAlertLockRoutes(admin, deps);
  });
  // The review clock (deadlines, scheduled campaigns) runs from stored times: a restart loses nothing.
  const reviewClock = setInterval(
    () => void sweepReviews(jit).catch(() => undefined),
    (options.reviewSweepSeconds ?? 60) * 1000,
  );
  reviewClock.unref();
  app.addHook('onClose', async () => clearInterval(reviewClock));
  return deps;
}
