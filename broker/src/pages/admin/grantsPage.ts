import { escapeHtml } from '../escapeHtml.js';
import { adminPage, dataTable, reasonForm, timeCell, type AdminShell } from './adminLayout.js';

export interface GrantsPageRow {
  id: string;
  email: string;
  target: string;
  tier: string;
  state: string;
  emergency: boolean;
  activatedAt: number | null;
  endsAt: number | null;
}

const e = escapeHtml;

export function grantsPage(shell: AdminShell, grants: GrantsPageRow[]): string {
  return adminPage(
    shell,
    'Grants',
    dataTable({
      caption: 'Grants in force or waiting for activation',
      headers: ['Holder', 'Target', 'Tier', 'State', 'Activated', 'Ends', 'Revoke'],
      rows: grants.map((g) => [
        e(g.email),
        `${e(g.target)}${g.emergency ? ' <strong>(break-glass)</strong>' : ''}`,
        e(g.tier),
        e(g.state),
        timeCell(g.activatedAt),
        timeCell(g.endsAt),
        reasonForm({
          action: `/admin/grants/${g.id}/revoke`,
          csrf: shell.csrf,
          label: `Reason to revoke ${g.target} of ${g.email}`,
          button: 'Revoke',
          idSuffix: g.id,
          testId: `revoke-${g.id}`,
        }),
      ]),
      empty: 'No grant is in force.',
      testId: 'grants',
    }),
  );
}
