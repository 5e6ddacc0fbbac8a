import { postureSubmissionSchema } from '@strongroom/shared/protocol/deviceApi.js';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseBody } from '../../http/parseBody.js';
import type { ApiDeps } from '../ApiDeps.js';
import { apiCallerOf } from '../auth/ApiCaller.js';
import { issuePostureNonce } from './issuePostureNonce.js';
import { submitPostureReport } from './submitPostureReport.js';

// The device is the one whose key signs the DPoP proof; a body, if any, may only confirm it.
const nonceRequestSchema = z.strictObject({ deviceId: z.string().min(1).max(100).optional() }).optional();

/** `POST /posture/nonce` and `POST /posture` (signed report). */
export function registerPostureRoutes(api: FastifyInstance, deps: ApiDeps): void {
  api.post('/posture/nonce', async (request) => {
    const caller = apiCallerOf(request);
    const body = parseBody(nonceRequestSchema, request.body ?? undefined);
    return issuePostureNonce(deps, caller, body?.deviceId);
  });

  api.post('/posture', async (request) => {
    const caller = apiCallerOf(request);
    const body = parseBody(postureSubmissionSchema, request.body);
    return submitPostureReport(deps, caller, body.report);
  });
}
