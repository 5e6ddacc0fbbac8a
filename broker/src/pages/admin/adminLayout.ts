import { escapeHtml } from '../escapeHtml.js';
import { pageLayout } from '../pageLayout.js';

/** What the admin shell needs to know about the viewer (no store types in the pages). */
export interface AdminShell {
  email: string;
  isAdmin: boolean;
  csrf: string;
  /** The nav entry to mark as the current page (aria-current). */
  current: string;
  /** Already-escaped outcome of the last form (adminRoute.ts), shown first in <main>. */
  notice?: string;
}

const adminLinks: ReadonlyArray<readonly [string, string]> = [
  ['/admin', 'Dashboard'],
  ['/admin/users', 'Users and devices'],
  ['/admin/grants', 'Grants'],
  ['/admin/alerts', 'Alerts'],
  ['/admin/locks', 'Locks'],
  ['/admin/reviews', 'Access reviews'],
  ['/admin/audit', 'Audit log'],
  ['/admin/policy', 'Policy'],
];

/** The navigation header of every admin page: links (approvers see only the dashboard) and sign out. */
export function adminHeader(shell: AdminShell): string {
  const links = (shell.isAdmin ? adminLinks : adminLinks.slice(0, 1))
    .map(
      ([href, label]) =>
        `<li><a href="${href}"${href === shell.current ? ' aria-current="page"' : ''}>${escapeHtml(label)}</a></li>`,
    )
    .join('');
  return `<nav aria-label="Strongroom admin"><ul>${links}</ul></nav>
<form method="post" action="/admin/sign-out" class="inline">${csrfField(shell.csrf)}
<span>Signed in as <strong data-testid="viewer">${escapeHtml(shell.email)}</strong></span>
<button type="submit" class="secondary">Sign out</button></form>`;
}

export function adminPage(shell: AdminShell, title: string, body: string, scripts?: string[]): string {
  return pageLayout({
    title,
    body: (shell.notice ?? '') + body,
    header: adminHeader(shell),
    wide: true,
    ...(scripts === undefined ? {} : { scripts }),
  });
}

export function csrfField(token: string): string {
  return `<input type="hidden" name="csrf" value="${escapeHtml(token)}">`;
}

/** A data table with a caption and column headers (screen readers announce both). */
export function dataTable(opts: {
  caption: string;
  headers: readonly string[];
  /** Already-escaped cells. */
  rows: ReadonlyArray<readonly string[]>;
  empty: string;
  testId?: string;
}): string {
  const testId = opts.testId ? ` data-testid="${escapeHtml(opts.testId)}"` : '';
  if (opts.rows.length === 0)
    return `<section${testId}><h2>${escapeHtml(opts.caption)}</h2><p class="empty">${escapeHtml(opts.empty)}</p></section>`;
  const head = opts.headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  const rows = opts.rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<section${testId}><h2>${escapeHtml(opts.caption)}</h2>
<table><thead><tr>${head}</tr></thead>
<tbody>
${rows}
</tbody></table></section>`;
}

/** A time as UTC text inside <time> (machine-readable too). */
export function timeCell(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '<span class="muted">never</span>';
  const iso = new Date(ms).toISOString();
  return `<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
}

/** A one-line POST form with a labelled reason field and a submit button. */
export function reasonForm(opts: {
  action: string;
  csrf: string;
  label: string;
  button: string;
  idSuffix: string;
  testId: string;
  extra?: string;
  /** The field's name (default `reason`); `optional` drops `required`. */
  name?: string;
  optional?: boolean;
}): string {
  const id = `${opts.name ?? 'reason'}-${escapeHtml(opts.idSuffix)}`;
  return `<form method="post" action="${escapeHtml(opts.action)}" class="inline">${csrfField(opts.csrf)}${opts.extra ?? ''}
<label for="${id}">${escapeHtml(opts.label)}</label>
<input id="${id}" name="${opts.name ?? 'reason'}"${opts.optional ? '' : ' required minlength="3"'} maxlength="500" autocomplete="off">
<button type="submit" data-testid="${escapeHtml(opts.testId)}">${escapeHtml(opts.button)}</button></form>`;
}
