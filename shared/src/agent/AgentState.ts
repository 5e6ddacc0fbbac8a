import type {
  AgentGrant,
  AgentLock,
  AgentPosture,
  AgentSession,
  AgentStateSnapshot,
} from '../protocol/agentApi.js';

/**
 * The agent's observable state: what the tray icon and menu, the extension's status bar and
 * `strongroom status` show. The wire shape is `agentStateSchema` (protocol/agentApi.ts); this is the
 * same type, read-only, plus a small subscribe API so hosts redraw on change and never poll.
 *
 * - session: `signedOut` | `signedIn` (user, sessionEndsAt, …)
 * - grants: elevated grants, approved (activate by) or active (expiresAt)
 * - toApprove: requests of others the user may approve now
 * - posture: pass / fail / unknown, every check (and the failing ones) with its fix, checkedAt, the
 *   broker's verdict
 * - locked: { reason, source, at } after a revoke or lock (everything was wiped), else null
 * - connected: whether the broker's event stream is open
 */
export type AgentState = Readonly<AgentStateSnapshot>;
export type { AgentGrant, AgentLock, AgentPosture, AgentSession };

/** What the tray draws: one of five icon states (issue 8, desktop). */
export type AgentIndicator = 'signedOut' | 'signedIn' | 'elevated' | 'postureFailing' | 'locked';

export function agentIndicator(state: AgentState): AgentIndicator {
  if (state.locked !== null) return 'locked';
  if (state.session.status === 'signedOut') return 'signedOut';
  if (state.posture.status === 'fail') return 'postureFailing';
  return state.grants.some((g) => g.state === 'active') ? 'elevated' : 'signedIn';
}

export type AgentStateListener = (state: AgentState, previous: AgentState) => void;

/** Read side handed to hosts. `subscribe` returns the unsubscribe function. */
export interface AgentStateView {
  get(): AgentState;
  subscribe(listener: AgentStateListener): () => void;
}

export function initialAgentState(): AgentState {
  const state: AgentStateSnapshot = {
    session: { status: 'signedOut' },
    grants: [],
    toApprove: [],
    posture: {
      status: 'unknown',
      failing: [],
      checks: [],
      checkedAt: null,
      attestation: null,
      attestationError: null,
    },
    locked: null,
    connected: false,
  };
  return Object.freeze(state);
}

/**
 * The agent's single writer of state. `update` replaces top-level parts; listeners run only when
 * something actually changed (compared as JSON: the state is plain data), so a refresh that changes
 * nothing visible does not redraw every host.
 */
export class AgentStateStore implements AgentStateView {
  #state: AgentState;
  #json: string;
  readonly #listeners = new Set<AgentStateListener>();
  readonly #onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void, initial: AgentState = initialAgentState()) {
    this.#state = initial;
    this.#json = JSON.stringify(initial);
    this.#onListenerError = onListenerError;
  }

  get(): AgentState {
    return this.#state;
  }

  subscribe(listener: AgentStateListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  update(patch: Partial<AgentStateSnapshot> | ((state: AgentState) => Partial<AgentStateSnapshot>)): void {
    const previous = this.#state;
    const next: AgentState = Object.freeze({
      ...previous,
      ...(typeof patch === 'function' ? patch(previous) : patch),
    });
    const json = JSON.stringify(next);
    if (json === this.#json) return;
    this.#state = next;
    this.#json = json;
    for (const listener of [...this.#listeners]) {
      // One broken host listener must not stop the others (or the agent).
      try {
        listener(next, previous);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }
}
