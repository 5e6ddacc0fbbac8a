import { escapeHtml } from './escapeHtml.js';
import { pageLayout } from './pageLayout.js';

export interface EnrollPageOptions {
  /** Path of this enrollment link (contains the one-time token; only ever sent to the same origin). */
  path: string;
  email: string;
  roles: string[];
  csrfToken: string;
}

/** Registers a security key for a new user; /assets/enroll.js runs the WebAuthn ceremony. */
export function enrollPage(opts: EnrollPageOptions): string {
  const path = escapeHtml(opts.path);
  const roles = opts.roles.length ? opts.roles.map(escapeHtml).join(', ') : 'none';
  const body = `<p>Register a security key for <strong data-testid="enroll-email">${escapeHtml(opts.email)}</strong>.</p>
<p>Roles: ${roles}</p>
<form id="register-form" method="post" action="${path}/register" data-options="${path}/options">
<input type="hidden" name="csrf" value="${escapeHtml(opts.csrfToken)}">
<button type="submit" data-testid="register-key">Register security key</button>
</form>
<p id="status" role="status" aria-live="polite" data-testid="status"></p>
<noscript><p>Registering a security key needs JavaScript.</p></noscript>`;
  return pageLayout({
    title: 'Enroll',
    body,
    scripts: ['/assets/simplewebauthn-browser.js', '/assets/ceremony.js', '/assets/enroll.js'],
  });
}
