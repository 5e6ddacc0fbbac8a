import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { AccessRequestView } from '@strongroom/shared/protocol/jitApi.js';
import type { ApiCaller } from '../api/auth/ApiCaller.js';
import { BrokerError } from '../errors/BrokerError.js';
import { issueApprovalChallenge } from './approvalChallenge.js';
import { mayApprove } from './eligibleApprovers.js';
import type { JitDeps } from './JitDeps.js';
import { toRequestView } from './toRequestView.js';

/**
 * `POST /api/v1/requests/{id}/approval-challenge`: WebAuthn request options whose challenge commits
 * to this request (approvalChallenge.ts), with the request itself so the approver sees what the
 * touch approves. Refused early, with reasons, when the caller could not approve it anyway; the
 * approval re-checks everything.
 */
export async function issueApproval(
  deps: JitDeps,
  caller: ApiCaller,
  requestId: string,
): Promise<{ options: PublicKeyCredentialRequestOptionsJSON; request: AccessRequestView }> {
  const { store } = deps;
  const now = deps.now();
  const request = await store.getAccessRequest(requestId);
  if (!request) throw new BrokerError('not_found', 'no such request');
  if (request.requesterId === caller.user.id)
    throw new BrokerError('self_approval', 'nobody approves their own request');
  if (request.status !== 'pending' || request.expiresAt <= now)
    throw new BrokerError(
      'request_closed',
      `the request is ${request.status === 'pending' ? 'expired' : request.status}`,
    );
  const answer = await mayApprove(deps, store, deps.policy.bundle, caller.user, request, {
    thumbprint: caller.thumbprint,
    srcIp: caller.srcIp,
  });
  if (!answer.allowed)
    throw new BrokerError('policy_denied', `not eligible to approve: ${answer.reasons.join('; ')}`);
  const options = await issueApprovalChallenge(
    store,
    deps.rp,
    request,
    caller.user.id,
    now,
    deps.options.approvalChallengeTtlSeconds,
  );
  const requester = await store.getUser(request.requesterId);
  return {
    options,
    request: toRequestView(request, await store.listApprovals(request.id), null, now, requester?.email),
  };
}
