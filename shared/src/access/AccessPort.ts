import type { AgentGrant, AgentStateView } from '../agent/AgentState.js';
import type { AgentParams, AgentResult } from '../protocol/agentApi.js';
import type { TargetsResponse } from '../protocol/jitApi.js';

/** The agent methods a host's access UI uses (agentApi.ts names and shapes). */
export type AccessMethod =
  | 'requests.list'
  | 'requests.create'
  | 'requests.dryRun'
  | 'grants.list'
  | 'grants.activate'
  | 'grants.drop'
  | 'posture';

/** An elevated terminal's pointers, and the agent tokens to revoke when it closes. */
export interface TerminalGrant {
  readonly env: Readonly<Record<string, string>>;
  readonly terminalIds: readonly string[];
  readonly expiresAt: number;
  /** What the terminal can reach, for the user ("AWS role …"), and what it cannot and why. */
  readonly notes: readonly string[];
  /** Revokes the terminal's tokens and removes its files (terminal closed, grant ended). Idempotent. */
  dispose(): Promise<void>;
}

/**
 * What the VS Code extension (and any other access UI) needs from the agent: its observable state,
 * its methods by name (the local protocol's contract, so the same code runs against the agent in
 * this process or over its socket), and the few interactive steps that belong to the user's
 * session rather than the protocol (sign-in in the system browser, the approval page's link).
 */
export interface AccessPort {
  readonly state: AgentStateView;
  /** `inProcess`: the agent runs in this host; `socket`: the tray's agent serves it. */
  readonly via: 'inProcess' | 'socket';
  call<M extends AccessMethod>(method: M, params: AgentParams<M>): Promise<AgentResult<M>>;
  /** Eligible targets and the bundle's request rules (reason length, ticket pattern). */
  targets(): Promise<TargetsResponse>;
  /** A one-time link to the broker's approval page, where the approver touches their key. */
  approvalLink(requestId: string): Promise<{ url: string; expiresAt: number }>;
  deny(requestId: string, reason: string): Promise<void>;
  /** Per-terminal tokens and pointers for an active grant (see elevatedTerminal.ts). */
  openTerminal(grant: AgentGrant, label: string): Promise<TerminalGrant>;
  /** Sign-in through the system browser with the security key (RFC 8252). */
  signIn(): Promise<void>;
  signOut(): Promise<void>;
  /** Re-read everything now (the "Refresh" button; the event stream does it otherwise). */
  refresh(): Promise<void>;
  dispose(): Promise<void>;
}
