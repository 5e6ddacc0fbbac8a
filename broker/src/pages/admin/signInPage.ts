import { keyTouchForm } from '../keyTouchForm.js';
import { pageLayout } from '../pageLayout.js';

/**
 * Sign in to the admin and approver pages with a security key. /assets/login.js runs the WebAuthn
 * ceremony on the form (options → navigator.credentials.get → verify) and follows the redirect.
 */
export function signInPage(opts: { csrfToken: string }): string {
  const body = `<p>Approvers and administrators sign in here with their security key.</p>
${keyTouchForm({
  formId: 'sign-in-form',
  action: '/admin/sign-in',
  options: '/admin/sign-in/options',
  csrfToken: opts.csrfToken,
  button: 'Sign in with security key',
  testId: 'sign-in-key',
  needs: 'Signing in with a security key',
})}`;
  return pageLayout({
    title: 'Admin sign-in',
    body,
    scripts: ['/assets/simplewebauthn-browser.js', '/assets/ceremony.js', '/assets/login.js'],
  });
}
