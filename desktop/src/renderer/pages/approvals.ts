import { startAuthentication } from '@simplewebauthn/browser';
import type { AccessRequestView } from '@strongroom/shared/protocol/jitApi.js';
import type { DesktopState } from '../../api/DesktopApi.js';
import { desktopApi, describeError, followState } from '../desktopApi.js';
import { byId, clock, h, relative, say } from '../dom.js';

/**
 * Pending approvals: each request of someone else the user may approve, in full (what the touch
 * approves), and "Approve with security key": a challenge bound to this request from the broker,
 * the key touch here (WebAuthn, user verification required), the assertion to the broker, which
 * re-checks everything. Same ceremony as the broker's own approval page (broker/public/approve.js).
 */
const api = desktopApi();

async function approve(request: AccessRequestView): Promise<void> {
  say('Preparing…', 'busy');
  const challenge = await api.approvalChallenge({ requestId: request.id });
  if (challenge.request.contentHash !== request.contentHash)
    throw new Error('The request changed since this list was drawn; look at it again before approving.');
  say('Touch your security key…', 'busy');
  const response = await startAuthentication({ optionsJSON: challenge.options });
  say('Checking…', 'busy');
  const { request: after } = await api.approve({
    requestId: request.id,
    assertion: {
      id: response.id,
      rawId: response.rawId,
      type: response.type,
      response: { ...response.response },
      clientExtensionResults: { ...response.clientExtensionResults },
      ...(response.authenticatorAttachment
        ? { authenticatorAttachment: response.authenticatorAttachment }
        : {}),
    },
  });
  say(
    after.status === 'approved'
      ? `Approved: ${after.target.id} for ${after.requesterEmail ?? after.requesterId}.`
      : `Your approval counts (${after.approvals.length} of ${after.approvalsRequired}).`,
    'done',
  );
}

function card(request: AccessRequestView, now: number): HTMLElement {
  const button = h(
    'button',
    { type: 'button', 'data-testid': 'approve-key', 'aria-describedby': `req-${request.id}` },
    'Approve with security key',
  );
  button.addEventListener('click', () => {
    button.disabled = true;
    approve(request)
      .catch((error: unknown) => say(`Failed: ${describeError(error)}`, 'error'))
      .finally(() => (button.disabled = false));
  });
  return h(
    'article',
    { class: 'card', 'data-request-id': request.id, 'aria-labelledby': `req-${request.id}` },
    h(
      'h2',
      { id: `req-${request.id}` },
      `${request.target.id} for ${request.requesterEmail ?? request.requesterId}`,
    ),
    h(
      'dl',
      {},
      h('dt', {}, 'Tier'),
      h('dd', {}, request.tier + (request.emergency ? ' (emergency)' : '')),
      h('dt', {}, 'Duration'),
      h('dd', {}, `${request.durationMinutes} min`),
      h('dt', {}, 'Reason'),
      h('dd', {}, request.reason),
      h('dt', {}, 'Ticket'),
      h('dd', {}, request.ticket ?? 'none'),
      h('dt', {}, 'Approvals'),
      h('dd', {}, `${request.approvals.length} of ${request.approvalsRequired}`),
      h('dt', {}, 'Asked'),
      h(
        'dd',
        {},
        `${clock(request.createdAt)}; open until ${clock(request.expiresAt)} (${relative(request.expiresAt, now)})`,
      ),
    ),
    button,
  );
}

function render(state: DesktopState): void {
  const list = byId('requests');
  list.replaceChildren();
  if (state.toApprove.length === 0) {
    list.append(h('p', { 'data-testid': 'none' }, 'Nothing waits for your approval.'));
    return;
  }
  for (const request of state.toApprove) list.append(card(request, state.now));
}

followState(render);
