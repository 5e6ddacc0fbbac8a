import type { LockRecord } from '../../store/alertRecords.js';
import { escapeHtml } from '../escapeHtml.js';
import { keyTouchForm } from '../keyTouchForm.js';
import { adminPage, timeCell, type AdminShell } from './adminLayout.js';

const e = escapeHtml;

/** One lock in force and its unlock: a reason and a key touch bound to this lock (/assets/unlock.js). */
export function lockPage(
  shell: AdminShell,
  lock: LockRecord & { email: string; lockedByEmail: string },
): string {
  const facts = `<dl class="facts">
<dt>Locked</dt><dd data-testid="locked-who">${e(lock.email)}${lock.kind === 'device' ? ` (device ${e(lock.deviceId ?? '')})` : ''}</dd>
<dt>Reason</dt><dd>${e(lock.reason)}</dd>
<dt>By</dt><dd>${lock.lockedBy === null ? 'automatic (detector)' : e(lock.lockedByEmail)}</dd>
<dt>Since</dt><dd>${timeCell(lock.lockedAt)}</dd>
</dl>`;
  if (lock.unlockedAt !== null)
    return adminPage(
      shell,
      'Lock',
      `${facts}<p>Unlocked ${timeCell(lock.unlockedAt)}: ${e(lock.unlockReason ?? '')}</p>`,
    );
  const action = `/admin/locks/${lock.id}/unlock`;
  const form = keyTouchForm({
    formId: 'unlock-form',
    action,
    options: `${action}/options`,
    csrfToken: shell.csrf,
    button: 'Unlock with security key',
    testId: 'unlock-key',
    needs: 'Unlocking with a security key',
    fields: `<div class="field"><label for="unlock-reason">Reason for unlocking (at least 8 characters)</label>
<input id="unlock-reason" name="reason" required minlength="8" maxlength="500" autocomplete="off"></div>`,
  });
  return adminPage(
    shell,
    'Unlock',
    `${facts}<p>Unlocking needs a different admin than the one who locked, a reason and a key touch. Sessions stay ended: the person signs in again.</p>${form}`,
    ['/assets/simplewebauthn-browser.js', '/assets/ceremony.js', '/assets/unlock.js'],
  );
}
