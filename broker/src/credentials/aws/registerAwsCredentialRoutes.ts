import { awsWebIdentityRequestSchema } from '@strongroom/shared/protocol/awsApi.js';
import type { FastifyInstance } from 'fastify';
import { apiCallerOf } from '../../api/auth/ApiCaller.js';
import { parseBody } from '../../http/parseBody.js';
import { issueAwsWebIdentity, type AwsWebIdentityDeps } from './issueAwsWebIdentity.js';

/** The AWS credential route under `/api/v1` (issue 6, item 3); authentication is registerApi's. */
export function registerAwsCredentialRoutes(api: FastifyInstance, deps: AwsWebIdentityDeps): void {
  api.post('/credentials/aws-web-identity', async (request) =>
    issueAwsWebIdentity(deps, apiCallerOf(request), parseBody(awsWebIdentityRequestSchema, request.body)),
  );
}
