import type { AlertRecord, LockRecord } from '../../store/alertRecords.js';
import { escapeHtml } from '../escapeHtml.js';
import { adminPage, dataTable, reasonForm, timeCell, type AdminShell } from './adminLayout.js';

const e = escapeHtml;

export interface DeadLetterRow {
  id: string;
  /** Origin only: a Slack-style webhook URL carries its secret in the path. */
  destination: string;
  event: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  updatedAt: number;
}

export function alertsPage(
  shell: AdminShell,
  alerts: Array<AlertRecord & { email: string }>,
  deadLetters: DeadLetterRow[],
): string {
  const list = dataTable({
    caption: 'Alerts (newest first)',
    headers: ['Severity', 'Detector', 'Summary', 'Principal', 'Action', 'Status', 'When'],
    rows: alerts.map((a) => [
      `<span class="sev-${e(a.severity)}">${e(a.severity)}</span>`,
      e(a.detector),
      e(a.summary),
      e(a.email),
      e(a.action),
      a.status === 'open'
        ? reasonForm({
            action: `/admin/alerts/${a.id}/ack`,
            csrf: shell.csrf,
            label: `Note on ${a.summary}`,
            button: 'Acknowledge',
            idSuffix: a.id,
            testId: `ack-${a.id}`,
            name: 'note',
            optional: true,
          })
        : `acknowledged ${timeCell(a.ackedAt)}`,
      timeCell(a.createdAt),
    ]),
    empty: 'No alerts.',
    testId: 'alerts',
  });
  const dead = dataTable({
    caption: 'Webhook dead letters',
    headers: ['Destination', 'Event', 'Attempts', 'Last answer', 'Last attempt'],
    rows: deadLetters.map((d) => [
      e(d.destination),
      e(d.event),
      String(d.attempts),
      e(d.lastStatus === null ? (d.lastError ?? 'no answer') : `HTTP ${d.lastStatus}`),
      timeCell(d.updatedAt),
    ]),
    empty: 'Every alert webhook was delivered.',
    testId: 'dead-letters',
  });
  return adminPage(shell, 'Alerts', list + dead);
}

export function locksPage(
  shell: AdminShell,
  locks: Array<LockRecord & { email: string; lockedByEmail: string }>,
): string {
  const active = locks.filter((l) => l.unlockedAt === null);
  const ended = locks.filter((l) => l.unlockedAt !== null);
  const inForce = dataTable({
    caption: 'Locks in force',
    headers: ['Locked', 'Kind', 'Reason', 'By', 'Since', 'Unlock'],
    rows: active.map((l) => [
      e(l.email),
      e(l.kind === 'device' ? `device ${l.deviceId ?? ''}` : 'user'),
      e(l.reason),
      l.lockedBy === null ? 'automatic (detector)' : e(l.lockedByEmail),
      timeCell(l.lockedAt),
      `<a href="/admin/locks/${e(l.id)}" data-testid="open-lock-${e(l.id)}">Unlock ${e(l.email)}…</a>`,
    ]),
    empty: 'Nobody is locked.',
    testId: 'locks',
  });
  const history = dataTable({
    caption: 'Ended locks',
    headers: ['Locked', 'Reason', 'Since', 'Unlocked', 'Unlock reason'],
    rows: ended.map((l) => [
      e(l.email),
      e(l.reason),
      timeCell(l.lockedAt),
      timeCell(l.unlockedAt),
      e(l.unlockReason ?? ''),
    ]),
    empty: 'No lock has ended yet.',
    testId: 'ended-locks',
  });
  return adminPage(shell, 'Locks', inForce + history);
}
