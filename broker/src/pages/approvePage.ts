import type { AccessRequestView } from '@strongroom/shared/protocol/jitApi.js';
import { escapeHtml } from './escapeHtml.js';
import { keyTouchForm } from './keyTouchForm.js';
import { pageLayout } from './pageLayout.js';

/**
 * Approve one access request with a security key touch. Shows exactly what is approved (the
 * challenge the key signs commits to this content); /assets/approve.js runs the ceremony.
 */
export function approvePage(opts: {
  /** Where the assertion is posted; `${action}/options` issues the challenge bound to the request. */
  action: string;
  csrfToken: string;
  request: AccessRequestView;
  /** The admin pages' navigation and extra content (a deny form) after the approve button. */
  header?: string;
  after?: string;
}): string {
  const r = opts.request;
  const body = `<p><strong>${escapeHtml(r.requesterEmail ?? r.requesterId)}</strong> asks for
<strong>${escapeHtml(`${r.target.type} ${r.target.id}`)}</strong> (${escapeHtml(r.tier)}) for ${r.durationMinutes} minutes.</p>
<p>Reason: ${escapeHtml(r.reason)}${r.ticket ? ` (ticket ${escapeHtml(r.ticket)})` : ''}</p>
<p>Approvals: ${r.approvals.length} of ${r.approvalsRequired}.</p>
${keyTouchForm({
  formId: 'approve-form',
  action: opts.action,
  options: `${opts.action}/options`,
  csrfToken: opts.csrfToken,
  button: 'Approve with security key',
  testId: 'approve-key',
  needs: 'Approving with a security key',
})}${opts.after ?? ''}`;
  return pageLayout({
    title: 'Approve access',
    body,
    ...(opts.header === undefined ? {} : { header: opts.header }),
    scripts: ['/assets/simplewebauthn-browser.js', '/assets/ceremony.js', '/assets/approve.js'],
  });
}
