import type { KoaContextWithOIDC } from 'oidc-provider';
import { PAGE_CSP } from '../http/securityHeaders.js';
import { pageLayout } from '../pages/pageLayout.js';

/**
 * The RP-initiated logout pages (`/session/end`), in the broker's own layout and CSP. oidc-provider's
 * defaults load a web font from Google (a request leaving the closed network, and a third party
 * learning who signs out) and carry inline styles our CSP forbids.
 */
export async function logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  // `form` is oidc-provider's own hidden form (id op.logoutForm, its xsrf value); our buttons submit it.
  const body = `${form}
<p>Sign out of Strongroom in this browser? Command-line and editor sessions are not affected; use
<code>strongroom logout</code> for those.</p>
<p>
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button>
<button type="submit" form="op.logoutForm" class="secondary">Stay signed in</button>
</p>`;
  sendPage(ctx, pageLayout({ title: 'Sign out', body }), formActionFor(ctx));
}

export async function postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
  const body = `<p role="status">You are signed out of Strongroom in this browser.</p>`;
  sendPage(ctx, pageLayout({ title: 'Signed out', body }), "'self'");
}

/**
 * Where the logout form may lead. CSP `form-action` also governs the redirect after the POST, so a
 * client's post-logout redirect (validated by oidc-provider against the client's registration before
 * this page renders) must be allowed by origin, and nothing else.
 */
function formActionFor(ctx: KoaContextWithOIDC): string {
  const redirect: unknown = ctx.oidc.session?.state?.postLogoutRedirectUri;
  if (typeof redirect !== 'string') return "'self'";
  try {
    const { origin } = new URL(redirect);
    return origin === 'null' ? "'self'" : `'self' ${origin}`;
  } catch {
    return "'self'";
  }
}

function sendPage(ctx: KoaContextWithOIDC, html: string, formAction: string): void {
  ctx.type = 'html';
  ctx.set('content-security-policy', PAGE_CSP.replace("form-action 'self'", `form-action ${formAction}`));
  ctx.set('cache-control', 'no-store');
  ctx.body = html;
}
