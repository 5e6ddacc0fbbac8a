import { describe, expect, it } from 'vitest';
import { initialAgentState, type AgentGrant, type AgentState } from '../agent/AgentState.js';
import { makeAgentState, makeGrant, MINUTE as MIN, NOW } from './accessFixtures.test-support.js';
import { formatTimeLeft } from './formatTimeLeft.js';
import { statusBarModel } from './statusBarModel.js';

function signedIn(overrides: Partial<AgentState> = {}, sessionLeft = 8 * 60 * MIN): AgentState {
  const state = makeAgentState(overrides);
  if (state.session.status !== 'signedIn') throw new Error('fixture');
  return { ...state, session: { ...state.session, sessionEndsAt: NOW + sessionLeft } };
}
const grant = (o: Partial<AgentGrant> = {}): AgentGrant => makeGrant(o);

describe('statusBarModel', () => {
  it('time left reads at a glance and never shows 0 while it lasts', () => {
    expect(formatTimeLeft(42 * MIN)).toBe('42m');
    expect(formatTimeLeft(41 * MIN + 1)).toBe('42m');
    expect(formatTimeLeft(30_000)).toBe('<1m');
    expect(formatTimeLeft(65 * MIN)).toBe('1h 05m');
    expect(formatTimeLeft(0)).toBe('0m');
  });

  it('signed out, signed in, elevated with the countdown (the soonest first, +n more)', () => {
    expect(statusBarModel(initialAgentState(), NOW).text).toBe('Strongroom: sign in');
    expect(statusBarModel(signedIn(), NOW)).toMatchObject({
      text: 'Strongroom',
      icon: 'signedIn',
      severity: 'normal',
    });
    const two = signedIn({
      grants: [
        grant(),
        grant({ id: 'g2', target: { type: 'Role', id: 'ml-researcher' }, expiresAt: NOW + 9 * MIN }),
      ],
    });
    expect(statusBarModel(two, NOW)).toMatchObject({ text: 'ml-researcher · 9m +1', icon: 'elevated' });
    expect(statusBarModel(signedIn({ grants: [grant()] }), NOW, false).text).toBe('restricted-data-reader');
  });

  it('a grant past its end is not shown as elevated even before the broker says so', () => {
    expect(statusBarModel(signedIn({ grants: [grant({ expiresAt: NOW - 1 })] }), NOW).icon).toBe('signedIn');
  });

  it('warns when posture fails or the session is about to end, and says why in the tooltip', () => {
    const failing = statusBarModel(
      signedIn({
        posture: {
          status: 'fail',
          failing: [
            { id: 'firewall', title: 'Firewall', status: 'fail', observed: 'off', fix: 'ufw enable' },
          ],
          checkedAt: NOW,
          attestation: null,
          attestationError: null,
        },
      }),
      NOW,
    );
    expect(failing).toMatchObject({
      text: 'Strongroom · posture failing',
      severity: 'warning',
      icon: 'warning',
    });
    expect(failing.tooltip).toContain('Firewall (ufw enable)');
    const ending = statusBarModel(signedIn({ grants: [grant()] }, 9 * MIN), NOW);
    expect(ending).toMatchObject({ text: 'restricted-data-reader · 42m · session 9m', severity: 'warning' });
  });

  it('locked is an error with the reason; approvals waiting and reviews are counted', () => {
    const locked = statusBarModel(
      { ...signedIn(), locked: { reason: 'device locked by an admin', source: 'principal.locked', at: NOW } },
      NOW,
    );
    expect(locked).toMatchObject({ icon: 'locked', severity: 'error' });
    expect(locked.tooltip).toContain('device locked by an admin');
    expect(
      statusBarModel(signedIn({ grants: [grant({ state: 'approved', expiresAt: null })] }), NOW).text,
    ).toBe('Strongroom: 1 to activate');
  });
});
