import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { AccessRequestView } from '@strongroom/shared/protocol/jitApi.js';
import type { ApiCaller } from '../api/auth/ApiCaller.js';
import type { AccessRequestRecord } from '../store/jitRecords.js';
import { BrokerError } from '../errors/BrokerError.js';
import { issueApprovalChallenge } from './approvalChallenge.js';
import { mayApprove } from './eligibleApprovers.js';
import type { JitDeps } from './JitDeps.js';
import { toRequestView } from './toRequestView.js';

/**
 * The request `caller` may approve now, with its view (what the touch would approve). Refused,
 * with reasons, when the caller could not approve it anyway; the approval re-checks everything.
 * Reads only: the admin pages show a request with it before any challenge exists.
 */
export async function approvableRequest(
  deps: JitDeps,
  caller: ApiCaller,
  requestId: string,
): Promise<{ record: AccessRequestRecord; request: AccessRequestView }> {
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
  const requester = await store.getUser(request.requesterId);
  return {
    record: request,
    request: toRequestView(request, await store.listApprovals(request.id), null, now, requester?.email),
  };
}

/**
 * `POST /api/v1/requests/{id}/approval-challenge`: WebAuthn request options whose challenge commits
 * to this request (approvalChallenge.ts), with the request itself so the approver sees what the
 * touch approves (approvableRequest refuses early what could never be approved).
 */
export async function issueApproval(
  deps: JitDeps,
  caller: ApiCaller,
  requestId: string,
): Promise<{ options: PublicKeyCredentialRequestOptionsJSON; request: AccessRequestView }> {
  const { record, request } = await approvableRequest(deps, caller, requestId);
  const options = await issueApprovalChallenge(
    deps.store,
    deps.rp,
    record,
    caller.user.id,
    deps.now(),
    deps.options.approvalChallengeTtlSeconds,
  );
  return { options, request };
}
