import { escapeHtml } from './escapeHtml.js';
import { pageLayout } from './pageLayout.js';

export interface LoginPageOptions {
  uid: string;
  clientName: string;
  csrfToken: string;
}

/**
 * Sign in with a security key. The form carries the CSRF token; /assets/login.js runs the WebAuthn
 * ceremony (options → navigator.credentials.get → verify) and follows the returned redirect.
 */
export function loginPage(opts: LoginPageOptions): string {
  const uid = escapeHtml(opts.uid);
  const body = `<p>Sign in to <strong>${escapeHtml(opts.clientName)}</strong> with your security key.</p>
<form id="sign-in-form" method="post" action="/interaction/${uid}/login" data-options="/interaction/${uid}/options">
<input type="hidden" name="csrf" value="${escapeHtml(opts.csrfToken)}">
<button type="submit" data-testid="sign-in-key">Sign in with security key</button>
</form>
<p id="status" role="status" aria-live="polite" data-testid="status"></p>
<noscript><p>Signing in with a security key needs JavaScript.</p></noscript>`;
  return pageLayout({
    title: 'Sign in',
    body,
    scripts: ['/assets/simplewebauthn-browser.js', '/assets/ceremony.js', '/assets/login.js'],
  });
}
