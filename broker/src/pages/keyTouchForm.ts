import { escapeHtml } from './escapeHtml.js';

/**
 * The form every key-touch page shares: ceremony.js posts `{csrf}` to `options`, asks the key,
 * then posts `{csrf, response}` to `action`; the live status region reports each step.
 */
export function keyTouchForm(opts: {
  formId: string;
  action: string;
  options: string;
  csrfToken: string;
  button: string;
  testId: string;
  /** What needs JavaScript, for <noscript>. */
  needs: string;
  /** Already-escaped extra fields (labelled inputs) sent with the key's answer. */
  fields?: string;
}): string {
  return `<form id="${escapeHtml(opts.formId)}" method="post" action="${escapeHtml(opts.action)}" data-options="${escapeHtml(opts.options)}">
<input type="hidden" name="csrf" value="${escapeHtml(opts.csrfToken)}">${opts.fields ?? ''}
<button type="submit" data-testid="${escapeHtml(opts.testId)}">${escapeHtml(opts.button)}</button>
</form>
<p id="status" role="status" aria-live="polite" data-testid="status"></p>
<noscript><p>${escapeHtml(opts.needs)} needs JavaScript.</p></noscript>`;
}
