import type { AuditRecord } from '../../audit/AuditEvent.js';
import { escapeHtml } from '../escapeHtml.js';
import { adminPage, csrfField, dataTable, timeCell, type AdminShell } from './adminLayout.js';

export interface AuditPageQuery {
  actor: string;
  name: string;
  from: string;
  to: string;
  outcome: string;
}

export interface AuditChainView {
  ok: boolean;
  text: string;
  at: number;
}

const e = escapeHtml;

function chainSection(csrf: string, chain: AuditChainView | undefined): string {
  const state = chain
    ? `<p data-testid="chain-state" class="${chain.ok ? 'ok' : 'bad'}"><strong>${chain.ok ? 'Chain verified' : 'Chain verification FAILED'}</strong>: ${e(chain.text)} (checked ${timeCell(chain.at)})</p>`
    : '<p data-testid="chain-state">Not verified since the broker started.</p>';
  return `<section aria-labelledby="chain-h"><h2 id="chain-h">Chain verification</h2>${state}
<form method="post" action="/admin/audit/verify">${csrfField(csrf)}<button type="submit" data-testid="verify-chain">Verify the chain now</button></form></section>`;
}

function filterForm(q: AuditPageQuery): string {
  const field = (id: keyof AuditPageQuery, label: string, type = 'text') =>
    `<div class="field"><label for="f-${id}">${label}</label><input id="f-${id}" name="${id}" type="${type}" value="${e(q[id])}"${type === 'text' ? ' maxlength="200"' : ''}></div>`;
  const option = (value: string, label: string) =>
    `<option value="${value}"${q.outcome === value ? ' selected' : ''}>${label}</option>`;
  return `<form method="get" action="/admin/audit" class="filters" role="search" aria-label="Filter the audit log">
${field('actor', 'Actor (email or id)')}${field('name', 'Event name')}
${field('from', 'From (UTC)', 'datetime-local')}${field('to', 'To (UTC)', 'datetime-local')}
<div class="field"><label for="f-outcome">Outcome</label><select id="f-outcome" name="outcome">${option('', 'any')}${option('success', 'success')}${option('failure', 'failure')}</select></div>
<button type="submit" data-testid="filter">Filter</button></form>`;
}

function details(r: AuditRecord): string {
  const text = JSON.stringify(r.data ?? {});
  return `<code>${e(text.length > 200 ? `${text.slice(0, 200)}…` : text)}</code>`;
}

export function auditPage(
  shell: AdminShell,
  opts: {
    query: AuditPageQuery;
    records: AuditRecord[];
    nextBefore: number | null;
    scanBounded: boolean;
    chain: AuditChainView | undefined;
  },
): string {
  const table = dataTable({
    caption: 'Records (newest first)',
    headers: ['Seq', 'Time', 'Actor', 'Event', 'Outcome', 'Severity', 'Details'],
    rows: opts.records.map((r) => [
      String(r.seq),
      timeCell(r.time),
      e(r.actor.email ?? r.actor.userId ?? r.actor.kind),
      e(r.activity),
      r.statusId === 1 ? 'success' : '<strong>failure</strong>',
      String(r.severityId ?? 1),
      details(r),
    ]),
    empty: opts.scanBounded ? 'No match in this stretch of the log.' : 'No record matches.',
    testId: 'audit-records',
  });
  const params = new URLSearchParams(Object.entries(opts.query).filter(([, v]) => v !== ''));
  const older =
    opts.nextBefore === null
      ? ''
      : `<a href="/admin/audit?${e(new URLSearchParams([...params, ['before', String(opts.nextBefore)]]).toString())}" data-testid="older">${opts.scanBounded ? 'Search further back' : 'Older records'}</a>`;
  const newest = `<a href="/admin/audit?${e(params.toString())}">Newest records</a>`;
  return adminPage(
    shell,
    'Audit log',
    `${chainSection(shell.csrf, opts.chain)}${filterForm(opts.query)}${table}<nav aria-label="Audit pages" class="pager">${newest} ${older}</nav>`,
  );
}
