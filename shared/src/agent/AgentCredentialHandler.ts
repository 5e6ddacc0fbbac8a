import type { BrokerClient } from '../broker-client/createBrokerClient.js';
import type { ResolvedProfile } from '../config/resolveProfile.js';
import type {
  AgentCredentialsGetParams,
  AgentCredentialsGetResult,
  AgentGrant,
} from '../protocol/agentApi.js';
import type { CredentialStore } from '../vault/CredentialStore.js';
import type { AgentPeer } from './AgentCall.js';
import type { AgentClock } from './AgentClock.js';
import type { TerminalEntry } from './TerminalTokens.js';

/** What a credential helper's handler gets from the agent for one `credentials.get`. */
export interface AgentCredentialContext {
  readonly profile: ResolvedProfile;
  /** Store grant-scoped credentials under `grantCredentialEntry(grantId, name)` so grant ends wipe them. */
  readonly vault: CredentialStore;
  readonly broker: BrokerClient;
  readonly clock: AgentClock;
  /** The user's live grants (approved or active) as the agent knows them now. */
  readonly grants: readonly AgentGrant[];
  /** The terminal asking, when the call carried a valid terminal token (limited to its grant). */
  readonly terminal: TerminalEntry | undefined;
  readonly peer: AgentPeer;
}

/**
 * A credential helper's part (`aws`, `git`, `ssh`, `kubernetes`): registered with
 * `agent.registerCredentialKind(kind, handler)`. The agent has already checked that the user is
 * signed in, nothing is locked, posture allows it, and that a terminal token (if any) is live and
 * its grant matches; the handler issues or reads the credential and must return `grantId` when it
 * was issued under a grant.
 */
export type AgentCredentialHandler = (
  params: AgentCredentialsGetParams,
  context: AgentCredentialContext,
) => Promise<AgentCredentialsGetResult>;

/** What the agent wiped: one grant's credentials, or everything (lock, revoke, sign-out). */
export type AgentWipeScope = { readonly kind: 'grant'; readonly grantId: string } | { readonly kind: 'all' };
