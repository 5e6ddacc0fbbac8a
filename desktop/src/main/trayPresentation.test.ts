import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initialAgentState } from '@strongroom/shared/agent/AgentState.js';
import { describe, expect, it } from 'vitest';
import { makeAgentState, makeGrant, NOW } from './makeAgentState.test-support.js';
import { trayPresentation } from './trayPresentation.js';

const ICONS = fileURLToPath(new URL('../../static/icons/', import.meta.url));

describe('trayPresentation', () => {
  it('one icon per state, each present in the package, with a tooltip that says the state', () => {
    const cases = [
      [initialAgentState(), 'signedOut', 'Strongroom: signed out'],
      [makeAgentState(), 'signedIn', 'Strongroom: signed in'],
      [
        makeAgentState({ grants: [makeGrant()] }),
        'elevated',
        'Strongroom: elevated (restricted-data-reader; 42 min left)',
      ],
      [
        makeAgentState({
          grants: [makeGrant()],
          posture: {
            status: 'fail',
            failing: [{ id: 'd', title: 'Disk encryption', status: 'fail', observed: '', fix: '' }],
            checkedAt: NOW,
            attestation: null,
            attestationError: null,
          },
        }),
        'postureFailing',
        'Strongroom: device posture failing (Disk encryption)',
      ],
      [
        makeAgentState({ locked: { reason: 'locked by an admin', source: 'principal.locked', at: NOW } }),
        'locked',
        'Strongroom: locked (locked by an admin)',
      ],
    ] as const;
    for (const [state, indicator, tooltip] of cases) {
      const p = trayPresentation(state, NOW);
      expect(p.indicator).toBe(indicator);
      expect(p.tooltip).toBe(tooltip);
      expect(existsSync(join(ICONS, p.icon)), p.icon).toBe(true);
    }
  });

  it('elevated: the title beside the icon is the soonest grant end', () => {
    const p = trayPresentation(
      makeAgentState({
        grants: [
          makeGrant(),
          makeGrant({ id: 'g-2', expiresAt: NOW + 5 * 60_000, target: { type: 'Role', id: 'x' } }),
        ],
      }),
      NOW,
    );
    expect(p.title).toBe('5 min');
    expect(p.tooltip).toBe('Strongroom: elevated (x, restricted-data-reader; 5 min left)');
  });
});
