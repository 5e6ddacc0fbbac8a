import { escapeHtml } from './escapeHtml.js';
import { keyTouchForm } from './keyTouchForm.js';
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
  return keySignInPage({
    title: 'Sign in',
    intro: `<p>Sign in to <strong>${escapeHtml(opts.clientName)}</strong> with your security key.</p>`,
    action: `/interaction/${opts.uid}/login`,
    options: `/interaction/${opts.uid}/options`,
    csrfToken: opts.csrfToken,
  });
}

/** A sign-in page with one key-touch form (the OpenID interaction's and the admin pages'). */
export function keySignInPage(opts: {
  title: string;
  /** Already-escaped HTML before the form. */
  intro: string;
  action: string;
  options: string;
  csrfToken: string;
}): string {
  const body = `${opts.intro}
${keyTouchForm({
  formId: 'sign-in-form',
  action: opts.action,
  options: opts.options,
  csrfToken: opts.csrfToken,
  button: 'Sign in with security key',
  testId: 'sign-in-key',
  needs: 'Signing in with a security key',
})}`;
  return pageLayout({
    title: opts.title,
    body,
    scripts: ['/assets/simplewebauthn-browser.js', '/assets/ceremony.js', '/assets/login.js'],
  });
}
