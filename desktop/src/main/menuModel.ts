import type { AgentGrant, AgentState } from '@strongroom/shared/agent/AgentState.js';
import type { DesktopPage } from '../api/DesktopApi.js';
import { formatTimeLeft } from './formatTimeLeft.js';

/** What a menu item does when clicked; the tray dispatches it (runMenuAction.ts). */
export type MenuAction =
  | { kind: 'signIn' }
  | { kind: 'signOut' }
  | { kind: 'openWindow'; page: DesktopPage }
  | { kind: 'activateGrant'; grantId: string }
  | { kind: 'dropGrant'; grantId: string }
  | { kind: 'refresh' }
  | { kind: 'toggleStartAtLogin' }
  | { kind: 'quit' };

export type MenuItemModel =
  | { type: 'label'; label: string }
  | { type: 'action'; label: string; action: MenuAction }
  | { type: 'checkbox'; label: string; checked: boolean; action: MenuAction }
  | { type: 'submenu'; label: string; items: MenuItemModel[] }
  | { type: 'separator' };

export interface MenuSettings {
  startAtLogin: boolean;
}

const separator: MenuItemModel = { type: 'separator' };

const targetName = (g: Pick<AgentGrant, 'target'>): string => g.target.id;

function grantItem(grant: AgentGrant, now: number): MenuItemModel {
  if (grant.state === 'active') {
    const left = grant.expiresAt === null ? 'active' : `${formatTimeLeft(grant.expiresAt, now)} left`;
    return {
      type: 'submenu',
      label: `${targetName(grant)} (${grant.tier}): ${left}`,
      items: [{ type: 'action', label: 'Drop now', action: { kind: 'dropGrant', grantId: grant.id } }],
    };
  }
  return {
    type: 'submenu',
    label: `${targetName(grant)} (${grant.tier}): approved, activate within ${formatTimeLeft(grant.activateBy, now)}`,
    items: [
      { type: 'action', label: 'Activate', action: { kind: 'activateGrant', grantId: grant.id } },
      { type: 'action', label: 'Drop', action: { kind: 'dropGrant', grantId: grant.id } },
    ],
  };
}

function postureItem(state: AgentState, now: number): MenuItemModel {
  const { posture } = state;
  const checked =
    posture.checkedAt === null
      ? 'not checked yet'
      : now - posture.checkedAt < 60_000
        ? 'checked just now'
        : `checked ${formatTimeLeft(now, posture.checkedAt)} ago`;
  const verdict = { pass: 'passing', fail: 'failing', unknown: 'incomplete' }[posture.status];
  const items: MenuItemModel[] = [{ type: 'label', label: `Last result: ${verdict} (${checked})` }];
  if (posture.attestation !== null)
    items.push({
      type: 'label',
      label: `Broker verdict: ${posture.attestation.compliant ? 'compliant' : 'not compliant'}`,
    });
  if (posture.attestationError !== null)
    items.push({ type: 'label', label: `Not attested: ${posture.attestationError}` });
  for (const check of posture.failing) {
    items.push({
      type: 'submenu',
      label: `${check.status === 'fail' ? 'Failing' : 'Unknown'}: ${check.title}`,
      items: [
        { type: 'label', label: `Observed: ${check.observed}` },
        { type: 'label', label: `Fix: ${check.fix}` },
      ],
    });
  }
  items.push(separator, {
    type: 'action',
    label: 'Posture report…',
    action: { kind: 'openWindow', page: 'posture' },
  });
  const failing = posture.failing.filter((c) => c.status === 'fail').length;
  return {
    type: 'submenu',
    label: failing > 0 ? `Posture: ${failing} failing` : `Posture: ${verdict}`,
    items,
  };
}

/**
 * The tray menu as data, computed from the agent's state alone (plus the clock and the one local
 * setting), so every state is unit-tested without Electron; menuTemplate.ts renders it.
 */
export function menuModel(state: AgentState, now: number, settings: MenuSettings): MenuItemModel[] {
  const items: MenuItemModel[] = [];
  const { session, locked } = state;
  const signedIn = session.status === 'signedIn' && locked === null;

  if (locked !== null) {
    items.push(
      { type: 'label', label: `Locked: ${locked.reason}` },
      { type: 'label', label: 'Everything on this device was wiped.' },
      { type: 'action', label: 'Sign in again…', action: { kind: 'signIn' } },
    );
  } else if (session.status === 'signedIn') {
    const who = session.user.email ?? session.user.name ?? session.user.subject;
    items.push(
      { type: 'label', label: `Signed in as ${who}` },
      { type: 'label', label: `Session ends in ${formatTimeLeft(session.sessionEndsAt, now)}` },
      { type: 'action', label: 'Sign out', action: { kind: 'signOut' } },
    );
  } else {
    items.push(
      { type: 'label', label: 'Signed out' },
      { type: 'action', label: 'Sign in…', action: { kind: 'signIn' } },
    );
  }
  items.push({ type: 'action', label: 'Sign-in status…', action: { kind: 'openWindow', page: 'status' } });

  if (signedIn) {
    items.push(separator, {
      type: 'action',
      label: 'Request access…',
      action: { kind: 'openWindow', page: 'request' },
    });
    if (state.grants.length > 0) {
      items.push({ type: 'label', label: 'Access' });
      for (const grant of state.grants) items.push(grantItem(grant, now));
    }
    if (state.toApprove.length > 0) {
      items.push({
        type: 'submenu',
        label: `Pending approvals (${state.toApprove.length})`,
        items: [
          ...state.toApprove.map((r): MenuItemModel => ({
            type: 'action',
            label: `${r.requesterEmail ?? r.requesterId}: ${r.target.id} for ${r.durationMinutes} min`,
            action: { kind: 'openWindow', page: 'approvals' },
          })),
          separator,
          { type: 'action', label: 'Open approvals…', action: { kind: 'openWindow', page: 'approvals' } },
        ],
      });
    }
  }

  items.push(separator, postureItem(state, now));
  if (signedIn) items.push({ type: 'action', label: 'Refresh now', action: { kind: 'refresh' } });
  items.push(
    separator,
    {
      type: 'checkbox',
      label: 'Start at login',
      checked: settings.startAtLogin,
      action: { kind: 'toggleStartAtLogin' },
    },
    { type: 'action', label: 'Quit Strongroom', action: { kind: 'quit' } },
  );
  return items;
}
