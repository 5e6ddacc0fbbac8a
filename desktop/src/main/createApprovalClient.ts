import { brokerJson } from '@strongroom/shared/agent/brokerJson.js';
import type { BrokerClient } from '@strongroom/shared/broker-client/createBrokerClient.js';
import {
  accessRequestViewSchema,
  grantViewSchema,
  type AccessRequestView,
  type ApproveRequest,
  type GrantView,
} from '@strongroom/shared/protocol/jitApi.js';
import { z } from 'zod';
import type { ApprovalChallenge } from '../api/DesktopApi.js';

// The broker's WebAuthn request options, checked for the fields the key ceremony reads.
const challengeSchema = z.object({
  options: z.looseObject({
    challenge: z.string().min(16).max(1024),
    rpId: z.string().max(253).optional(),
    timeout: z.number().optional(),
    userVerification: z.enum(['required', 'preferred', 'discouraged']).optional(),
    allowCredentials: z.array(z.looseObject({ id: z.string(), type: z.literal('public-key') })).optional(),
  }),
  request: accessRequestViewSchema,
});
const approvedSchema = z.object({ request: accessRequestViewSchema, grant: grantViewSchema.nullable() });

export interface ApprovalClient {
  challenge(requestId: string): Promise<ApprovalChallenge>;
  approve(
    requestId: string,
    assertion: ApproveRequest['assertion'],
  ): Promise<{ request: AccessRequestView; grant: GrantView | null }>;
}

/**
 * The approval key touch against the broker's routes (broker/src/jit/registerJitRoutes.ts):
 * `approval-challenge` gives request options whose challenge commits to the request's content;
 * the page asks the key; `approve` carries the assertion. Both over the DPoP-bound API as the
 * signed-in approver; the broker re-checks everything (self-approval, eligibility, UV, origin).
 */
export function createApprovalClient(api: BrokerClient): ApprovalClient {
  const base = (requestId: string) => `/api/v1/requests/${encodeURIComponent(requestId)}`;
  return {
    async challenge(requestId) {
      const answer = await brokerJson(api, 'POST', `${base(requestId)}/approval-challenge`, challengeSchema);
      return answer as ApprovalChallenge;
    },
    approve: (requestId, assertion) =>
      brokerJson(api, 'POST', `${base(requestId)}/approve`, approvedSchema, { assertion }),
  };
}
