import { initialAgentState, type AgentGrant, type AgentState } from '@strongroom/shared/agent/AgentState.js';
import type { AccessRequestView } from '@strongroom/shared/protocol/jitApi.js';

export const NOW = Date.UTC(2026, 10, 26, 9, 0, 0);

/** A signed-in state (or `initialAgentState()` for signed out) with overrides, for unit tests. */
export function makeAgentState(overrides: Partial<AgentState> = {}): AgentState {
  return {
    ...initialAgentState(),
    session: {
      status: 'signedIn',
      profile: 'default',
      broker: 'http://localhost:7700',
      user: { subject: 'u-1', email: 'alice@example.test', name: 'Alice' },
      amr: ['hwk', 'user', 'mfa'],
      acr: 'urn:strongroom:acr:hwk',
      authTime: NOW - 3_600_000,
      accessTokenExpiresAt: NOW + 300_000,
      sessionEndsAt: NOW + 11 * 3_600_000,
      sessionEndSource: 'id_token',
      deviceKey: { thumbprint: 'thumbprint-0123456789abcdef', protection: 'software' },
    },
    posture: {
      status: 'pass',
      failing: [],
      checkedAt: NOW - 120_000,
      attestation: { compliant: true, attestedAt: NOW - 120_000 },
      attestationError: null,
    },
    connected: true,
    ...overrides,
  };
}

export function makeGrant(overrides: Partial<AgentGrant> = {}): AgentGrant {
  return {
    id: 'g-1',
    requestId: 'r-1',
    target: { type: 'Role', id: 'restricted-data-reader' },
    tier: 'restricted',
    state: 'active',
    emergency: false,
    durationMinutes: 60,
    activateBy: NOW + 3_600_000,
    expiresAt: NOW + 42 * 60_000,
    ...overrides,
  };
}

export function makeRequestView(overrides: Partial<AccessRequestView> = {}): AccessRequestView {
  return {
    id: '6f1c1d3e-8a52-4f7b-9d55-0c1a2b3c4d5e',
    requesterId: 'u-2',
    requesterEmail: 'bob@example.test',
    target: { type: 'Role', id: 'restricted-data-reader' },
    tier: 'restricted',
    durationMinutes: 30,
    reason: 'Label drift',
    ticket: null,
    status: 'pending',
    approvalsRequired: 2,
    approvals: [],
    emergency: false,
    contentHash: 'hash',
    createdAt: NOW - 60_000,
    expiresAt: NOW + 86_400_000,
    denyReason: null,
    grantId: null,
    ...overrides,
  };
}
