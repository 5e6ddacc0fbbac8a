import type { AgentEventFrame } from '../protocol/agentApi.js';

/**
 * Who is calling, as far as the agent could verify it. `uid` is the peer's user id when the
 * platform let the agent learn it (Linux: the kernel's socket table, see peerCredentials.linux.ts);
 * `via` says how the caller got in.
 */
export interface AgentPeer {
  readonly via: 'in-process' | 'socket';
  readonly uid: number | null;
  readonly pids: readonly number[];
}

/** The connection a call came on, for methods that push frames later (`state.subscribe`). */
export interface AgentConnection {
  send(frame: AgentEventFrame): void;
  onClose(cleanup: () => void): void;
}

export interface AgentCall {
  readonly peer: AgentPeer;
  readonly connection: AgentConnection | undefined;
}

export const inProcessCall: AgentCall = {
  peer: { via: 'in-process', uid: null, pids: [] },
  connection: undefined,
};
