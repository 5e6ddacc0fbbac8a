import type { AgentState } from '../agent/AgentState.js';
import { formatTimeLeft } from './formatTimeLeft.js';

/**
 * What a host's always-visible indicator shows (VS Code status bar; the tray's tooltip): one short
 * text, a longer tooltip, how loud to be and which icon, derived from the agent's state and the
 * clock only (so a live countdown is a redraw, not a broker call). Icons are names; hosts map them.
 */
export interface StatusBarModel {
  readonly icon: 'signedOut' | 'locked' | 'signedIn' | 'elevated' | 'approved' | 'warning';
  readonly text: string;
  readonly tooltip: string;
  readonly severity: 'normal' | 'warning' | 'error';
}

/** The session's end is "near" inside this window: warn so the user signs in again in time. */
export const SESSION_ENDING_MS = 15 * 60_000;

export function statusBarModel(state: AgentState, now: number, showCountdown = true): StatusBarModel {
  if (state.locked !== null)
    return {
      icon: 'locked',
      text: 'Strongroom: locked',
      tooltip: `Access was revoked: ${state.locked.reason}. Everything issued was wiped. Sign in again.`,
      severity: 'error',
    };
  const session = state.session;
  if (session.status === 'signedOut')
    return {
      icon: 'signedOut',
      text: 'Strongroom: sign in',
      tooltip: 'Not signed in. Click to sign in with your security key.',
      severity: 'normal',
    };

  const notes: string[] = [];
  let severity: StatusBarModel['severity'] = 'normal';
  const who = session.user.email ?? session.user.name ?? session.user.subject;
  notes.push(`Signed in as ${who} (${session.broker}).`);
  const sessionLeft = session.sessionEndsAt - now;
  const sessionEnding = sessionLeft <= SESSION_ENDING_MS;
  if (sessionEnding) {
    severity = 'warning';
    notes.push(`Session ends in ${formatTimeLeft(sessionLeft)}: sign in again to keep working.`);
  }
  const postureFailing = state.posture.status === 'fail';
  if (postureFailing) {
    severity = 'warning';
    const fixes = state.posture.failing.filter((c) => c.status === 'fail');
    notes.push(`Device posture failing: ${fixes.map((c) => `${c.title} (${c.fix})`).join('; ')}.`);
  }

  const active = state.grants
    .filter((g) => g.state === 'active' && g.expiresAt !== null && g.expiresAt > now)
    .sort((a, b) => (a.expiresAt ?? 0) - (b.expiresAt ?? 0));
  const approved = state.grants.filter((g) => g.state === 'approved' && g.activateBy > now);
  for (const g of active)
    notes.push(`${g.target.id} (${g.tier}): ${formatTimeLeft((g.expiresAt ?? now) - now)} left.`);
  if (approved.length > 0) notes.push(`${approved.length} approved grant(s) waiting to be activated.`);
  if (state.toApprove.length > 0) notes.push(`${state.toApprove.length} request(s) waiting for your review.`);

  const review = state.toApprove.length > 0 ? ` · ${state.toApprove.length} to review` : '';
  const first = active[0];
  let text: string;
  let icon: StatusBarModel['icon'];
  if (first !== undefined) {
    icon = 'elevated';
    const more = active.length > 1 ? ` +${active.length - 1}` : '';
    text = showCountdown
      ? `${first.target.id} · ${formatTimeLeft((first.expiresAt ?? now) - now)}${more}`
      : `${first.target.id}${more}`;
  } else if (approved.length > 0) {
    icon = 'approved';
    text = `Strongroom: ${approved.length} to activate`;
  } else {
    icon = 'signedIn';
    text = 'Strongroom';
  }
  if (sessionEnding) text += ` · session ${formatTimeLeft(sessionLeft)}`;
  if (postureFailing) text += ' · posture failing';
  if (severity === 'warning' && icon !== 'elevated') icon = 'warning';
  return { icon, text: text + review, tooltip: notes.join('\n'), severity };
}
