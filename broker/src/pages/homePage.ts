import { escapeHtml } from './escapeHtml.js';
import { pageLayout } from './pageLayout.js';

/** What a person sees at the broker's root: what this is and how to sign in (from the app, not here). */
export function homePage(issuer: string): string {
  const discovery = `${issuer}/.well-known/openid-configuration`;
  const body = `<p>This is the Strongroom access broker. Sign in from the Strongroom app or CLI
(<code>strongroom login</code>); it will bring you here to touch your security key.</p>
<p>New here? Ask an administrator for an enrollment link.</p>
<p><small>OpenID Provider: <a href="${escapeHtml(discovery)}">${escapeHtml(issuer)}</a></small></p>`;
  return pageLayout({ title: 'Strongroom', body });
}
