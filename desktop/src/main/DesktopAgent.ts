import type { AgentStateView } from '@strongroom/shared/agent/AgentState.js';
import type { AgentParams, AgentResult } from '@strongroom/shared/protocol/agentApi.js';
import type { TargetsResponse } from '@strongroom/shared/protocol/jitApi.js';

/** The agent methods the tray and its windows call (agentApi.ts names and shapes). */
export type DesktopAgentMethod =
  'requests.create' | 'requests.dryRun' | 'grants.activate' | 'grants.drop' | 'posture';

/**
 * What the tray needs from the agent running in its main process: the observable state, the
 * protocol's methods by name, and the session steps that are not protocol methods (sign-in in the
 * system browser, sign-out, re-read now). shared's agent and its in-process access port both have
 * this shape; the tray depends on nothing else of theirs.
 */
export interface DesktopAgent {
  readonly state: AgentStateView;
  call<M extends DesktopAgentMethod>(method: M, params: AgentParams<M>): Promise<AgentResult<M>>;
  targets(): Promise<TargetsResponse>;
  signIn(): Promise<void>;
  signOut(): Promise<void>;
  refresh(): Promise<void>;
}
