import { escapeHtml } from '../escapeHtml.js';
import { adminPage, csrfField, dataTable, timeCell, type AdminShell } from './adminLayout.js';

export interface UsersPageUser {
  id: string;
  email: string;
  status: string;
  roles: string[];
}

export interface UsersPageDevice {
  id: string;
  email: string;
  hostname: string;
  os: string;
  keyProtection: string;
  status: string;
  compliant: boolean;
  attestedAt: number | null;
  problems: string[];
}

const e = escapeHtml;

const actionsFor: Record<string, ReadonlyArray<readonly [string, string]>> = {
  pending: [
    ['approve', 'Approve'],
    ['lock', 'Lock'],
    ['remove', 'Remove'],
  ],
  active: [
    ['lock', 'Lock'],
    ['remove', 'Remove'],
  ],
  locked: [
    ['unlock', 'Unlock'],
    ['remove', 'Remove'],
  ],
};

function deviceActions(d: UsersPageDevice, csrf: string): string {
  return (actionsFor[d.status] ?? [])
    .map(
      ([
        action,
        label,
      ]) => `<form method="post" action="/admin/devices/${e(d.id)}/status" class="inline">${csrfField(csrf)}
<input type="hidden" name="action" value="${action}">
<button type="submit" class="secondary" data-testid="device-${action}-${e(d.id)}">${label}<span class="sr-only"> device ${e(d.hostname)} of ${e(d.email)}</span></button></form>`,
    )
    .join(' ');
}

export function usersPage(shell: AdminShell, users: UsersPageUser[], devices: UsersPageDevice[]): string {
  const userTable = dataTable({
    caption: 'Users and roles',
    headers: ['User', 'Status', 'Roles'],
    rows: users.map((u) => [
      e(u.email),
      e(u.status),
      u.roles.length ? u.roles.map(e).join(', ') : '<span class="muted">none</span>',
    ]),
    empty: 'No users yet.',
    testId: 'users',
  });
  const deviceTable = dataTable({
    caption: 'Devices',
    headers: ['User', 'Device', 'Key', 'Status', 'Posture', 'Last report', 'Actions'],
    rows: devices.map((d) => [
      e(d.email),
      `${e(d.hostname)} <span class="muted">(${e(d.os)})</span>`,
      e(d.keyProtection),
      e(d.status),
      d.compliant
        ? 'passing'
        : `<strong>failing</strong>${d.problems.length ? `: ${e(d.problems.join(', '))}` : ''}`,
      timeCell(d.attestedAt),
      deviceActions(d, shell.csrf),
    ]),
    empty: 'No devices enrolled yet.',
    testId: 'devices',
  });
  return adminPage(shell, 'Users and devices', userTable + deviceTable);
}
