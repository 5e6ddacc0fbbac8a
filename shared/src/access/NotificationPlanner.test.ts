import { describe, expect, it } from 'vitest';
import { initialAgentState, type AgentGrant, type AgentState } from '../agent/AgentState.js';
import type { AccessRequestView } from '../protocol/jitApi.js';
import { makeGrant, makeRequestView, MINUTE as MIN, NOW } from './accessFixtures.test-support.js';
import { NotificationPlanner } from './NotificationPlanner.js';

const base: AgentState = initialAgentState();
/** Approved, waiting for activation (the planner's first news). */
const grant = (o: Partial<AgentGrant> = {}): AgentGrant =>
  makeGrant({ state: 'approved', durationMinutes: 30, expiresAt: null, ...o });
const request = (id: string): AccessRequestView => makeRequestView({ id });

describe('NotificationPlanner (coalesced notifications from state and clock)', () => {
  it('tells an approval once, with Activate for that grant, however often the state is pushed', () => {
    const planner = new NotificationPlanner();
    expect(planner.observe(base, NOW)).toEqual([]);
    const approved = { ...base, grants: [grant()] };
    expect(planner.observe(approved, NOW)).toEqual([
      expect.objectContaining({ kind: 'approved', actions: [{ kind: 'activate', grantId: 'g1' }] }),
    ]);
    for (let i = 0; i < 5; i++)
      expect(planner.observe({ ...approved, connected: i % 2 === 0 }, NOW + i)).toEqual([]);
  });

  it('what already existed when the host started is not announced as news', () => {
    const planner = new NotificationPlanner();
    const state = { ...base, grants: [grant()], toApprove: [request('r7')] };
    expect(planner.observe(state, NOW)).toEqual([]);
    expect(planner.observe(state, NOW + 1000)).toEqual([]);
  });

  it('several facts of a kind in one observation are one notice, not a storm', () => {
    const planner = new NotificationPlanner();
    planner.observe(base, NOW);
    const notices = planner.observe(
      {
        ...base,
        grants: [grant(), grant({ id: 'g2', target: { type: 'Role', id: 'ml-researcher' } })],
        toApprove: [request('a'), request('b'), request('c')],
      },
      NOW,
    );
    expect(notices.map((n) => n.kind)).toEqual(['approved', 'toReview']);
    expect(notices[0]?.message).toMatch(/^2 grants were approved/);
    expect(notices[1]?.message).toBe('3 access requests wait for your review.');
  });

  it('warns at T-10 and T-2 with Extend (same target and duration), each once', () => {
    const planner = new NotificationPlanner();
    const active = { ...base, grants: [grant({ state: 'active', expiresAt: NOW + 30 * MIN })] };
    expect(planner.observe(active, NOW)).toEqual([]);
    const at10 = planner.observe(active, NOW + 20 * MIN + 1);
    expect(at10).toEqual([
      expect.objectContaining({
        kind: 'expiring',
        message: 'restricted-data-reader ends in 10m.',
        actions: [
          { kind: 'extend', target: { type: 'Role', id: 'restricted-data-reader' }, durationMinutes: 30 },
        ],
      }),
    ]);
    expect(planner.observe(active, NOW + 25 * MIN)).toEqual([]);
    expect(planner.observe(active, NOW + 28 * MIN + 1).map((n) => n.message)).toEqual([
      'restricted-data-reader ends in 2m.',
    ]);
    expect(planner.observe(active, NOW + 29 * MIN)).toEqual([]);
  });

  it('a grant seen first at 1 minute left is warned once, not twice', () => {
    const planner = new NotificationPlanner();
    planner.observe(base, NOW);
    const late = { ...base, grants: [grant({ state: 'active', expiresAt: NOW + MIN })] };
    expect(planner.observe(late, NOW).filter((n) => n.kind === 'expiring')).toHaveLength(1);
    expect(planner.observe(late, NOW + 1000)).toEqual([]);
  });

  it('tells an ended elevation, a lock (with Sign In) and a posture regression (with its fix), once each', () => {
    const planner = new NotificationPlanner();
    const active = { ...base, grants: [grant({ state: 'active', expiresAt: NOW + 30 * MIN })] };
    planner.observe(active, NOW);
    expect(planner.observe(base, NOW).map((n) => n.kind)).toEqual(['ended']);
    const posture = {
      status: 'fail' as const,
      failing: [
        { id: 'firewall', title: 'Firewall', status: 'fail' as const, observed: 'off', fix: 'ufw enable' },
      ],
      checkedAt: NOW,
      attestation: null,
      attestationError: null,
    };
    const failing = planner.observe({ ...base, posture }, NOW);
    expect(failing).toEqual([
      expect.objectContaining({
        kind: 'postureFailing',
        message: 'Device posture failing: Firewall: ufw enable',
      }),
    ]);
    expect(planner.observe({ ...base, posture: { ...posture, checkedAt: NOW + 5 * MIN } }, NOW)).toEqual([]);
    const locked = planner.observe(
      { ...base, locked: { reason: 'session revoked', source: 'session.revoked', at: NOW } },
      NOW,
    );
    expect(locked).toEqual([expect.objectContaining({ kind: 'locked', actions: [{ kind: 'signIn' }] })]);
  });
});
