import type { AccessRequestView } from '@strongroom/shared/protocol/jitApi.js';
import { escapeHtml } from './escapeHtml.js';
import { pageLayout } from './pageLayout.js';

/**
 * Approve one access request with a security key touch. Shows exactly what is approved (the
 * challenge the key signs commits to this content); /assets/approve.js runs the ceremony.
 */
export function approvePage(opts: { token: string; csrfToken: string; request: AccessRequestView }): string {
  const r = opts.request;
  const t = escapeHtml(opts.token);
  const body = `<p><strong>${escapeHtml(r.requesterEmail ?? r.requesterId)}</strong> asks for
<strong>${escapeHtml(`${r.target.type} ${r.target.id}`)}</strong> (${escapeHtml(r.tier)}) for ${r.durationMinutes} minutes.</p>
<p>Reason: ${escapeHtml(r.reason)}${r.ticket ? ` (ticket ${escapeHtml(r.ticket)})` : ''}</p>
<p>Approvals: ${r.approvals.length} of ${r.approvalsRequired}.</p>
<form id="approve-form" method="post" action="/approve/${t}" data-options="/approve/${t}/options">
<input type="hidden" name="csrf" value="${escapeHtml(opts.csrfToken)}">
<button type="submit" data-testid="approve-key">Approve with security key</button>
</form>
<p id="status" role="status" aria-live="polite" data-testid="status"></p>
<noscript><p>Approving with a security key needs JavaScript.</p></noscript>`;
  return pageLayout({
    title: 'Approve access',
    body,
    scripts: ['/assets/simplewebauthn-browser.js', '/assets/ceremony.js', '/assets/approve.js'],
  });
}
