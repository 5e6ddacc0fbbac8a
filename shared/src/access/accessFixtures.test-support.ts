import { initialAgentState, type AgentGrant, type AgentState } from '../agent/AgentState.js';
import type { AccessRequestView } from '../protocol/jitApi.js';

/**
 * Factories for unit tests of access UIs (extension, tray): the agent's state, a grant, a request
 * of someone else, each with overrides (CONVENTIONS.md, "fixtures from make*(overrides)").
 */
export const NOW = Date.UTC(2026, 10, 26, 9, 0, 0);
export const MINUTE = 60_000;

/** Signed in as alice@example.test, session ending in 8 hours, nothing else going on. */
export function makeAgentState(overrides: Partial<AgentState> = {}): AgentState {
  return {
    ...initialAgentState(),
    session: {
      status: 'signedIn',
      profile: 'default',
      broker: 'http://localhost:7700',
      user: { subject: 'u1', email: 'alice@example.test', name: null },
      amr: ['hwk'],
      acr: 'urn:strongroom:acr:hwk',
      authTime: NOW - MINUTE,
      accessTokenExpiresAt: NOW + 10 * MINUTE,
      sessionEndsAt: NOW + 8 * 60 * MINUTE,
      sessionEndSource: 'id_token',
      deviceKey: { thumbprint: 't', protection: 'software' },
    },
    ...overrides,
  };
}

/** restricted-data-reader, active with 42 minutes left. */
export function makeGrant(overrides: Partial<AgentGrant> = {}, now = NOW): AgentGrant {
  return {
    id: 'g1',
    requestId: 'r1',
    target: { type: 'Role', id: 'restricted-data-reader' },
    tier: 'restricted',
    state: 'active',
    emergency: false,
    durationMinutes: 60,
    activateBy: now + 60 * MINUTE,
    expiresAt: now + 42 * MINUTE,
    ...overrides,
  };
}

/** dave@example.test asks for restricted-data-reader for 30 minutes; no approvals yet. */
export function makeRequestView(overrides: Partial<AccessRequestView> = {}): AccessRequestView {
  return {
    id: 'r7',
    requesterId: 'u2',
    requesterEmail: 'dave@example.test',
    target: { type: 'Role', id: 'restricted-data-reader' },
    tier: 'restricted',
    durationMinutes: 30,
    reason: 'Investigate label drift',
    ticket: null,
    status: 'pending',
    approvalsRequired: 2,
    approvals: [],
    emergency: false,
    contentHash: 'c',
    createdAt: NOW,
    expiresAt: NOW + 60 * MINUTE,
    denyReason: null,
    grantId: null,
    ...overrides,
  };
}
