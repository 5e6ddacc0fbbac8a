const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/**
 * The page the browser shows after the redirect back to the loopback listener. Static, no script,
 * and a CSP that allows nothing but its own inline style, so a hostile query string cannot turn it
 * into anything. It never echoes the code or the state.
 */
export function callbackPage(outcome: 'success' | 'error', title: string, detail: string): string {
  const colour = outcome === 'success' ? '#0a6b2d' : '#a11';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Strongroom: ${escape(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem}h1{color:${colour};font-size:1.4rem}</style>
</head><body><main><h1>${escape(title)}</h1><p>${escape(detail)}</p><p>You can close this tab.</p></main></body></html>
`;
}

export const CALLBACK_PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
} as const;
