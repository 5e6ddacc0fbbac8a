import {
  ackAlertSchema,
  createLockSchema,
  unlockSchema,
  workingHoursBodySchema,
} from '@strongroom/shared/protocol/adminApi.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { apiCallerOf, type ApiCaller } from '../api/auth/ApiCaller.js';
import { auditRefusal } from '../api/auditRefusal.js';
import { accountChangeEvent, apiActivityEvent } from '../audit/ocsf.js';
import { workingHoursSchema } from '../detectors/detectorsConfigSchema.js';
import { WORKING_HOURS_ATTRIBUTE } from '../detectors/DetectorRunner.js';
import { BrokerError } from '../errors/BrokerError.js';
import { parseBody } from '../http/parseBody.js';
import { isAdmin } from '../jit/isAdmin.js';
import { adminLock } from '../locks/adminLock.js';
import { issueUnlockChallenge } from '../locks/unlockChallenge.js';
import { unlockPrincipal } from '../locks/unlockPrincipal.js';
import { ackAlert } from './ackAlert.js';
import type { AlertDeps } from './AlertDeps.js';
import { emailsById, toAlertView, toDeadLetterView, toLockView } from './adminViews.js';

const idParams = z.strictObject({ id: z.string().uuid() });
const noBody = z.union([z.undefined(), z.null(), z.strictObject({})]);
const limit = z.coerce.number().int().min(1).max(1000).default(100);

/**
 * Admin routes under `/api/v1/admin` (issue 9): alerts (list, acknowledge), locks (list, lock,
 * unlock with a key touch), webhook dead letters, people's working hours. Every route needs the
 * admin role; a non-admin's attempt is refused and audited.
 */
export function registerAdminAlertRoutes(api: FastifyInstance, deps: AlertDeps): void {
  const admin = async (request: FastifyRequest): Promise<ApiCaller> => {
    const caller = apiCallerOf(request);
    if (await isAdmin(deps.store, caller.user.id)) return caller;
    return auditRefusal(
      deps.store,
      apiActivityEvent('other', {
        name: 'admin.api',
        outcome: 'failure',
        actor: { kind: 'user', userId: caller.user.id, email: caller.user.email },
        time: deps.now(),
        srcIp: caller.srcIp,
        severity: 'medium',
        data: { method: request.method, path: request.url.split('?', 1)[0] ?? '', reason: 'not_admin' },
      }),
      new BrokerError('forbidden', 'this needs the admin role'),
    );
  };
  const idOf = (request: FastifyRequest): string => parseBody(idParams, request.params).id;

  api.get('/admin/alerts', async (request) => {
    await admin(request);
    const q = parseBody(
      z.strictObject({ status: z.enum(['open', 'acknowledged']).optional(), limit }),
      request.query ?? {},
    );
    const emails = await emailsById(deps.store);
    const alerts = await deps.store.listAlerts({ ...(q.status ? { status: q.status } : {}), limit: q.limit });
    return { alerts: alerts.map((a) => toAlertView(a, emails)) };
  });

  api.post('/admin/alerts/:id/ack', async (request) => {
    const caller = await admin(request);
    const body = parseBody(ackAlertSchema, request.body ?? {});
    return { alert: await ackAlert(deps, caller, idOf(request), body.note) };
  });

  api.get('/admin/locks', async (request) => {
    await admin(request);
    const q = parseBody(
      z.strictObject({ active: z.enum(['true', 'false']).optional(), limit }),
      request.query ?? {},
    );
    const emails = await emailsById(deps.store);
    const locks = await deps.store.listLocks({
      ...(q.active === undefined ? {} : { active: q.active === 'true' }),
      limit: q.limit,
    });
    return { locks: locks.map((l) => toLockView(l, emails)) };
  });

  api.post('/admin/locks', async (request, reply) => {
    const caller = await admin(request);
    const outcome = await adminLock(deps, caller, parseBody(createLockSchema, request.body));
    const emails = await emailsById(deps.store);
    return reply.status(outcome.created ? 201 : 200).send({
      lock: toLockView(outcome.lock, emails),
      created: outcome.created,
      grantsEnded: outcome.grantsEnded,
      sessionsEnded: outcome.sessionsEnded,
      credentialsRevoked: outcome.credentialsRevoked,
    });
  });

  api.post('/admin/locks/:id/unlock-challenge', async (request) => {
    const caller = await admin(request);
    parseBody(noBody, request.body);
    const lock = await deps.store.getLock(idOf(request));
    if (!lock) throw new BrokerError('not_found', 'no such lock');
    if (lock.unlockedAt !== null) throw new BrokerError('conflict', 'the lock has already ended');
    if (lock.userId === caller.user.id)
      throw new BrokerError('forbidden', 'nobody unlocks their own account or device');
    if (lock.lockedBy === caller.user.id)
      throw new BrokerError('forbidden', 'unlocking needs a different admin than the one who locked');
    const options = await issueUnlockChallenge(deps.store, deps.rp, lock, caller.user.id, deps.now());
    return { options, lock: toLockView(lock, await emailsById(deps.store)) };
  });

  api.post('/admin/locks/:id/unlock', async (request) => {
    const caller = await admin(request);
    const lock = await unlockPrincipal(deps, caller, idOf(request), parseBody(unlockSchema, request.body));
    return { lock: toLockView(lock, await emailsById(deps.store)) };
  });

  api.get('/admin/dead-letters', async (request) => {
    await admin(request);
    const q = parseBody(
      z.strictObject({ status: z.enum(['pending', 'delivered', 'dead']).default('dead'), limit }),
      request.query ?? {},
    );
    const deliveries = await deps.store.listWebhookDeliveries({ status: q.status, limit: q.limit });
    return { deliveries: deliveries.map(toDeadLetterView) };
  });

  api.put('/admin/users/:id/working-hours', async (request) => {
    const caller = await admin(request);
    const userId = parseBody(z.strictObject({ id: z.string().min(1).max(200) }), request.params).id;
    const body = parseBody(workingHoursBodySchema, request.body);
    const hours = body.workingHours === null ? null : parseBody(workingHoursSchema, body.workingHours);
    const now = deps.now();
    await deps.store.transaction(async (tx) => {
      if (!(await tx.getUser(userId))) throw new BrokerError('not_found', 'no such user');
      await tx.putUserAttribute(userId, WORKING_HOURS_ATTRIBUTE, hours);
      await tx.appendAudit(
        accountChangeEvent('other', {
          name: 'user.working_hours',
          outcome: 'success',
          actor: { kind: 'admin', userId: caller.user.id, email: caller.user.email },
          time: now,
          srcIp: caller.srcIp,
          data: { userId, workingHours: hours },
        }),
      );
    });
    deps.runner.setWorkingHours(userId, hours);
    return { userId, workingHours: hours };
  });
}
