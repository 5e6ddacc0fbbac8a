import { agentIndicator, type AgentIndicator, type AgentState } from '@strongroom/shared/agent/AgentState.js';
import { formatTimeLeft } from './formatTimeLeft.js';

export interface TrayPresentation {
  indicator: AgentIndicator;
  /** File name in the packaged icons directory. */
  icon: string;
  /** Hover text; also what screen readers announce for the tray item. */
  tooltip: string;
  /** Short text beside the icon (macOS menu bar): the time left while elevated, else empty. */
  title: string;
}

/** Icon, tooltip and title for the tray from the agent's state. Pure. */
export function trayPresentation(state: AgentState, now: number): TrayPresentation {
  const indicator = agentIndicator(state);
  const icon = `tray-${indicator}.png`;
  switch (indicator) {
    case 'locked':
      return { indicator, icon, tooltip: `Strongroom: locked (${state.locked?.reason ?? ''})`, title: '' };
    case 'signedOut':
      return { indicator, icon, tooltip: 'Strongroom: signed out', title: '' };
    case 'postureFailing': {
      const failing = state.posture.failing.filter((c) => c.status === 'fail').map((c) => c.title);
      return {
        indicator,
        icon,
        tooltip: `Strongroom: device posture failing (${failing.join(', ')})`,
        title: '',
      };
    }
    case 'elevated': {
      const active = state.grants
        .filter((g) => g.state === 'active' && g.expiresAt !== null)
        .sort((a, b) => (a.expiresAt ?? 0) - (b.expiresAt ?? 0));
      const first = active[0];
      const left = first?.expiresAt == null ? '' : formatTimeLeft(first.expiresAt, now);
      const names = active.map((g) => g.target.id).join(', ');
      return { indicator, icon, tooltip: `Strongroom: elevated (${names}; ${left} left)`, title: left };
    }
    case 'signedIn':
      return { indicator, icon, tooltip: 'Strongroom: signed in', title: '' };
  }
}
