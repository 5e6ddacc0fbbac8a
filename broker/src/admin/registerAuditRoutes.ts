import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseBody } from '../http/parseBody.js';
import { auditPage } from '../pages/admin/auditPage.js';
import type { AdminDeps } from './AdminDeps.js';
import { adminFormRoute, adminPageRoute } from './adminRoute.js';
import type { AuditChainState } from './auditChainState.js';
import { searchAudit } from './searchAudit.js';

// datetime-local sends `YYYY-MM-DDTHH:MM` (seconds optional); the explorer reads it as UTC.
const localTime = z.union([z.literal(''), z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/)]);
const auditQuery = z.strictObject({
  actor: z.string().max(200).default(''),
  name: z.string().max(100).default(''),
  from: localTime.default(''),
  to: localTime.default(''),
  outcome: z.enum(['', 'success', 'failure']).default(''),
  /** The outcome notice of the verify form (adminRoute.ts). */
  done: z.string().max(20).optional(),
  before: z
    .string()
    .regex(/^[1-9]\d{0,15}$/)
    .optional(),
});

const utc = (s: string, end: boolean): number | undefined => {
  if (s === '') return undefined;
  const ms = Date.parse(`${s.length === 16 ? `${s}:${end ? '59.999' : '00'}` : s}Z`);
  return Number.isNaN(ms) ? undefined : ms;
};

/** The audit explorer (filters by actor, name, time, outcome; paging by seq) and the chain state. */
export function registerAuditRoutes(app: FastifyInstance, deps: AdminDeps, chain: AuditChainState): void {
  adminPageRoute(app, deps, '/admin/audit', { adminOnly: true }, async (ctx) => {
    const q = parseBody(auditQuery, ctx.request.query ?? {});
    const page = await searchAudit(deps.jit.store, {
      ...(q.actor ? { actor: q.actor } : {}),
      ...(q.name ? { name: q.name } : {}),
      ...(utc(q.from, false) === undefined ? {} : { from: utc(q.from, false) }),
      ...(utc(q.to, true) === undefined ? {} : { to: utc(q.to, true) }),
      ...(q.outcome ? { outcome: q.outcome } : {}),
      ...(q.before ? { before: Number(q.before) } : {}),
    });
    const last = chain.last;
    return auditPage(ctx.shell('/admin/audit'), {
      query: { actor: q.actor, name: q.name, from: q.from, to: q.to, outcome: q.outcome },
      ...page,
      chain: last && {
        ok: last.result.ok,
        text: last.result.ok
          ? `${last.result.records} records and ${last.result.checkpoints} signed checkpoints up to seq ${last.result.seq}`
          : `${last.result.problem} at record ${last.result.seq ?? '-'}: ${last.result.message}`,
        at: last.at,
      },
    });
  });

  adminFormRoute(
    app,
    deps,
    '/admin/audit/verify',
    { adminOnly: true, body: z.strictObject({ csrf: z.string() }) },
    async () => {
      await chain.verify();
      return '/admin/audit?done=verified';
    },
  );
}
