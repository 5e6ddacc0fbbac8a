import type { AccessRequestView } from '@strongroom/shared/protocol/jitApi.js';
import { escapeHtml } from '../escapeHtml.js';
import { adminPage, dataTable, timeCell, type AdminShell } from './adminLayout.js';

export interface DashboardGrant {
  id: string;
  email: string;
  target: string;
  state: string;
  endsAt: number | null;
}

export interface DashboardDevice {
  email: string;
  hostname: string;
  status: string;
  problems: string[];
}

export interface DashboardData {
  /** Requests this viewer may approve now (policy decides: approvers see only their own scope). */
  pending: AccessRequestView[];
  /** Admin-only sections; undefined for an approver. */
  admin?: {
    grants: DashboardGrant[];
    alerts: Array<{ id: string; severity: string; title: string; principal: string; at: number }>;
    lockedUsers: Array<{ email: string; since: number | null; reason: string }>;
    failingDevices: DashboardDevice[];
  };
}

const e = escapeHtml;

export function dashboardPage(shell: AdminShell, data: DashboardData): string {
  const pending = dataTable({
    caption: 'Pending approvals',
    headers: ['Requester', 'Target', 'Tier', 'Reason', 'Approvals', 'Expires', 'Action'],
    rows: data.pending.map((r) => [
      e(r.requesterEmail ?? r.requesterId),
      e(`${r.target.type} ${r.target.id}`),
      `<span class="tier tier-${e(r.tier)}">${e(r.tier)}</span>`,
      e(r.reason),
      `${r.approvals.length} of ${r.approvalsRequired}`,
      timeCell(r.expiresAt),
      `<a href="/admin/requests/${e(r.id)}" data-testid="review-${e(r.id)}">Review request from ${e(r.requesterEmail ?? r.requesterId)}</a>`,
    ]),
    empty: 'Nothing waits for your approval.',
    testId: 'pending',
  });
  const a = data.admin;
  if (!a) return adminPage(shell, 'Dashboard', pending);
  const grants = dataTable({
    caption: 'Active grants',
    headers: ['Holder', 'Target', 'State', 'Ends'],
    rows: a.grants.map((g) => [e(g.email), e(g.target), e(g.state), timeCell(g.endsAt)]),
    empty: 'No grant is in force.',
    testId: 'grants',
  });
  const alerts = dataTable({
    caption: 'Open alerts',
    headers: ['Severity', 'Alert', 'Principal', 'When'],
    rows: a.alerts.map((x) => [e(x.severity), e(x.title), e(x.principal), timeCell(x.at)]),
    empty: 'No open alert.',
    testId: 'alerts',
  });
  const locked = dataTable({
    caption: 'Locked principals',
    headers: ['User', 'Since', 'Reason'],
    rows: a.lockedUsers.map((u) => [e(u.email), timeCell(u.since), e(u.reason)]),
    empty: 'Nobody is locked.',
    testId: 'locked',
  });
  const devices = dataTable({
    caption: 'Devices failing posture',
    headers: ['User', 'Device', 'Status', 'Problems'],
    rows: a.failingDevices.map((d) => [
      e(d.email),
      e(d.hostname),
      e(d.status),
      e(d.problems.join(', ') || 'stale report'),
    ]),
    empty: 'Every active device passes.',
    testId: 'failing-devices',
  });
  return adminPage(
    shell,
    'Dashboard',
    `${pending}<div class="grid">${alerts}${locked}${grants}${devices}</div>`,
  );
}
