import {
  CLIENT_AUDIT_MAX_BODY_BYTES,
  clientAuditRequestSchema,
} from '@strongroom/shared/protocol/clientAuditApi.js';
import type { FastifyInstance } from 'fastify';
import { parseBody } from '../../http/parseBody.js';
import type { ApiDeps } from '../ApiDeps.js';
import { apiCallerOf } from '../auth/ApiCaller.js';
import { CallerRateLimiter } from './CallerRateLimiter.js';
import { recordClientEvents } from './recordClientEvents.js';

/** 20 reports in a burst, then one every 3 s, per device (an agent flushes at most every few seconds). */
const BURST = 20;
const REFILL_MS = 3_000;

/**
 * `POST /audit/client-events` under `/api/v1` (authentication is registerApi's): client-reported
 * audit events (recordClientEvents.ts). The body is limited before it is parsed and checked with the
 * strict protocol schema; a refused body records nothing.
 */
export function registerClientEventRoutes(api: FastifyInstance, deps: ApiDeps): void {
  const limiter = new CallerRateLimiter({ burst: BURST, refillMs: REFILL_MS });
  api.post('/audit/client-events', { bodyLimit: CLIENT_AUDIT_MAX_BODY_BYTES }, async (request) =>
    recordClientEvents(
      { store: deps.store, now: deps.now, limiter },
      apiCallerOf(request),
      parseBody(clientAuditRequestSchema, request.body),
    ),
  );
}
