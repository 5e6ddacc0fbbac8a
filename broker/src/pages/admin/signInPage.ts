import { keySignInPage } from '../loginPage.js';

/** Sign in to the admin and approver pages with a security key (/assets/login.js runs the ceremony). */
export function signInPage(opts: { csrfToken: string }): string {
  return keySignInPage({
    title: 'Admin sign-in',
    intro: '<p>Approvers and administrators sign in here with their security key.</p>',
    action: '/admin/sign-in',
    options: '/admin/sign-in/options',
    csrfToken: opts.csrfToken,
  });
}
