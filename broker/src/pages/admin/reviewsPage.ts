import type { ReviewCampaignRecord, ReviewItemRecord } from '../../store/reviewRecords.js';
import { escapeHtml } from '../escapeHtml.js';
import { adminPage, csrfField, dataTable, timeCell, type AdminShell } from './adminLayout.js';

const e = escapeHtml;

export function reviewsPage(
  shell: AdminShell,
  campaigns: ReviewCampaignRecord[],
  settings: { deadlineDays: number; unreviewed: string; staleAfterDays: number; everyDays?: number },
): string {
  const schedule = settings.everyDays
    ? `The policy bundle starts one every ${settings.everyDays} days.`
    : 'The policy bundle schedules none: start one here.';
  const start = `<section aria-labelledby="start-h"><h2 id="start-h">Start an access review</h2>
<p>${e(schedule)} Reviewers have ${settings.deadlineDays} days; what nobody reviews by then is
<strong>${settings.unreviewed === 'remove' ? 'removed' : 'kept'}</strong>. Memberships unused for ${settings.staleAfterDays} days are flagged stale.</p>
<form method="post" action="/admin/reviews" class="inline">${csrfField(shell.csrf)}
<label for="review-name">Name (optional)</label><input id="review-name" name="name" maxlength="100" autocomplete="off">
<button type="submit" data-testid="start-review">Start review</button></form></section>`;
  const list = dataTable({
    caption: 'Reviews',
    headers: ['Name', 'Status', 'Started', 'Deadline', 'Unreviewed', 'Open'],
    rows: campaigns.map((c) => [
      e(c.name),
      e(c.status),
      timeCell(c.createdAt),
      timeCell(c.deadline),
      e(c.unreviewedAction),
      `<a href="/admin/reviews/${e(c.id)}" data-testid="open-review">Open ${e(c.name)}</a>`,
    ]),
    empty: 'No access review yet.',
    testId: 'reviews',
  });
  return adminPage(shell, 'Access reviews', start + list);
}

export function reviewPage(
  shell: AdminShell,
  campaign: ReviewCampaignRecord,
  items: Array<ReviewItemRecord & { email: string }>,
): string {
  const open = campaign.status === 'open';
  const decide = (i: ReviewItemRecord & { email: string }, k: number): string => {
    if (i.decision !== 'pending' || !open) return e(i.decision);
    const buttons = (['keep', 'remove'] as const)
      .map(
        (
          d,
        ) => `<form method="post" action="/admin/reviews/${e(campaign.id)}/decide" class="inline">${csrfField(shell.csrf)}
<input type="hidden" name="userId" value="${e(i.userId)}"><input type="hidden" name="role" value="${e(i.roleName)}">
<input type="hidden" name="decision" value="${d}">
<button type="submit" class="secondary" data-testid="${d}-${k}">${d === 'keep' ? 'Keep' : 'Remove'}<span class="sr-only"> ${e(i.roleName)} of ${e(i.email)}</span></button></form>`,
      )
      .join(' ');
    return buttons;
  };
  const summary = `<p>Status: <strong data-testid="review-status">${e(campaign.status)}</strong>. Deadline ${timeCell(campaign.deadline)};
unreviewed memberships are then <strong>${campaign.unreviewedAction === 'remove' ? 'removed' : 'kept'}</strong>.
Stale: unused for ${campaign.staleAfterDays} days.</p>`;
  const table = dataTable({
    caption: 'Standing memberships',
    headers: ['User', 'Role', 'Last used', 'Stale', 'Decision'],
    rows: items.map((i, k) => [
      e(i.email),
      e(i.roleName),
      timeCell(i.lastUsedAt),
      i.stale ? '<strong class="bad">stale</strong>' : 'no',
      decide(i, k),
    ]),
    empty: 'Nobody holds a standing membership.',
    testId: 'review-items',
  });
  return adminPage(shell, campaign.name, summary + table);
}
