import { escapeHtml } from '../escapeHtml.js';
import { adminPage, csrfField, dataTable, reasonForm, timeCell, type AdminShell } from './adminLayout.js';

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

function deviceActions(d: UsersPageDevice, csrf: string): string {
  const form = (action: string, label: string, extra = '') =>
    `<form method="post" action="/admin/devices/${e(d.id)}/status" class="inline">${csrfField(csrf)}
<input type="hidden" name="action" value="${action}">${extra}
<button type="submit" class="secondary" data-testid="device-${action}-${e(d.id)}">${label}<span class="sr-only"> device ${e(d.hostname)} of ${e(d.email)}</span></button></form>`;
  const lock = form(
    'lock',
    'Lock',
    `<label for="lock-${e(d.id)}" class="sr-only">Reason to lock ${e(d.hostname)}</label><input id="lock-${e(d.id)}" name="reason" required minlength="8" maxlength="500" placeholder="reason" autocomplete="off">`,
  );
  const remove = form('remove', 'Remove');
  if (d.status === 'pending') return `${form('approve', 'Approve')} ${lock} ${remove}`;
  if (d.status === 'active') return `${lock} ${remove}`;
  if (d.status === 'locked') return `<a href="/admin/locks">Unlock on Locks</a> ${remove}`;
  return '';
}

function userActions(u: UsersPageUser, csrf: string): string {
  if (u.status !== 'active') return u.status === 'locked' ? '<a href="/admin/locks">Unlock on Locks</a>' : '';
  return reasonForm({
    action: `/admin/users/${u.id}/lock`,
    csrf,
    label: `Reason to lock ${u.email}`,
    button: 'Lock',
    idSuffix: `user-${u.id}`,
    testId: `lock-user-${u.id}`,
  });
}

export function usersPage(shell: AdminShell, users: UsersPageUser[], devices: UsersPageDevice[]): string {
  const userTable = dataTable({
    caption: 'Users and roles',
    headers: ['User', 'Status', 'Roles', 'Lock'],
    rows: users.map((u) => [
      e(u.email),
      e(u.status),
      u.roles.length ? u.roles.map(e).join(', ') : '<span class="muted">none</span>',
      userActions(u, shell.csrf),
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
