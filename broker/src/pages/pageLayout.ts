import { escapeHtml } from './escapeHtml.js';

export interface PageLayoutOptions {
  title: string;
  /** Already-escaped HTML for <main>. */
  body: string;
  /** Same-origin script paths, loaded in order (no inline scripts: the CSP is `script-src 'self'`). */
  scripts?: string[];
  /** Already-escaped HTML for a <header> before <main> (the admin pages' navigation). */
  header?: string;
  /** Full-width <main> for tables (the admin pages). */
  wide?: boolean;
}

/** The plain, accessible HTML shell every broker page uses (lang, landmarks, a live status region). */
export function pageLayout(opts: PageLayoutOptions): string {
  const scripts = (opts.scripts ?? [])
    .map((src) => `<script src="${escapeHtml(src)}" defer></script>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(opts.title)} · Strongroom</title>
<link rel="stylesheet" href="/assets/broker.css">
${scripts}
</head>
<body>
${opts.header === undefined ? '' : `<a class="skip" href="#content">Skip to content</a>\n<header>${opts.header}</header>\n`}<main id="content"${opts.wide ? ' class="wide"' : ''}>
<h1>${escapeHtml(opts.title)}</h1>
${opts.body}
</main>
</body>
</html>
`;
}
