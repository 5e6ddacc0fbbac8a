import { escapeHtml } from './escapeHtml.js';
import { pageLayout } from './pageLayout.js';

/** A page that says what went wrong and what to do; never echoes secrets (tokens, codes). */
export function errorPage(opts: { title: string; message: string; hint?: string; code?: string }): string {
  const body = `<div role="alert" data-testid="error">
<p>${escapeHtml(opts.message)}</p>
${opts.hint ? `<p>${escapeHtml(opts.hint)}</p>` : ''}
${opts.code ? `<p><small>Error code: <code data-testid="error-code">${escapeHtml(opts.code)}</code></small></p>` : ''}
</div>`;
  return pageLayout({ title: opts.title, body });
}
