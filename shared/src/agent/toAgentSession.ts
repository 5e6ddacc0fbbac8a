import type { ResolvedProfile } from '../config/resolveProfile.js';
import type { AgentSession } from '../protocol/agentApi.js';
import type { SessionSummary } from '../session/SessionSummary.js';

/** The vault's session summary as the agent's state shows it (no secrets in either). */
export function toAgentSession(profile: ResolvedProfile, summary: SessionSummary | undefined): AgentSession {
  if (summary === undefined) return { status: 'signedOut' };
  return {
    status: 'signedIn',
    profile: profile.name,
    broker: profile.broker,
    user: { subject: summary.subject, email: summary.email ?? null, name: summary.name ?? null },
    amr: [...summary.amr],
    acr: summary.acr,
    authTime: summary.authTime,
    accessTokenExpiresAt: summary.accessTokenExpiresAt,
    sessionEndsAt: summary.sessionExpiresAt,
    sessionEndSource: summary.sessionEndSource,
    deviceKey: { thumbprint: summary.deviceKeyThumbprint, protection: summary.deviceKeyProtection },
  };
}
