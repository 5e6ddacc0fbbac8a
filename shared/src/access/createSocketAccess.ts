import { AgentClient } from '../agent/AgentClient.js';
import { agentSocketPath, type AgentEndpoint } from '../agent/agentSocketPath.js';
import { AgentStateStore, type AgentState } from '../agent/AgentState.js';
import type { ResolvedProfile } from '../config/resolveProfile.js';
import type {
  AgentGrant,
  AgentMethodName,
  AgentParams,
  AgentResult,
  AgentStateSnapshot,
} from '../protocol/agentApi.js';
import type { HostContext } from '../session/HostContext.js';
import type { AccessPort } from './AccessPort.js';
import type { AgentInvoke } from './elevatedTerminal.js';

/**
 * The tray's agent over its socket, as the access UI's first state needs it: the agent client and
 * the state store, and nothing of the session, OIDC or the wire schemas (zod). Those are only needed
 * for what the protocol does not do (sign-in, targets, the approval link, deny, a terminal's SSH
 * certificate): `SessionParts`, loaded on first use. Kept this small because the VS Code extension
 * is "ready" only once its first state is drawn, and loading code is most of that time.
 */

/** Over the socket, what goes through this window's own session (the same keychain vault). */
export type SessionParts = Pick<AccessPort, 'targets' | 'approvalLink' | 'deny' | 'openTerminal'> & {
  /** Sign-in into the shared vault (the agent re-reads it on `trigger`). */
  login(): Promise<void>;
  logout(): Promise<void>;
};

export interface SocketAgentOptions {
  readonly host: Pick<HostContext, 'platform' | 'log'>;
  readonly profile: ResolvedProfile;
  readonly env: NodeJS.ProcessEnv;
  readonly uid: number | undefined;
  readonly tmpdir: string;
}

export interface SocketAgent {
  readonly client: AgentClient;
  readonly status: AgentResult<'status'>;
  readonly endpoint: AgentEndpoint;
}

/**
 * The running agent for this profile, or undefined when none runs or it serves another profile or
 * broker (then this window runs its own; an agent serving another profile answers not_found).
 */
export async function findSocketAgent(options: SocketAgentOptions): Promise<SocketAgent | undefined> {
  const { host, profile } = options;
  const endpoint = agentSocketPath({
    platform: host.platform,
    env: options.env,
    uid: options.uid,
    tmpdir: options.tmpdir,
  });
  const client = await AgentClient.connect(endpoint, options.uid);
  if (client === undefined) return undefined;
  const status = await client.request('status', { profile: profile.name }).catch(() => undefined);
  if (
    status !== undefined &&
    status.agent.profile === profile.name &&
    status.agent.broker === profile.broker
  ) {
    host.log('info', `using the Strongroom agent at ${endpoint.path}`);
    return { client, status, endpoint };
  }
  client.close();
  host.log('info', 'the running agent serves another profile; running one in this window');
  return undefined;
}

/**
 * The agent's state as this window keeps it. `status` adds `secondsLeft` to each grant, which the
 * state's grants do not have; every other field the agent sends, known now or added later (such as
 * a grant's `covers`, which decides a terminal's SSH host groups), is kept as sent.
 */
export function stateFromAgent(s: AgentStateSnapshot | AgentResult<'status'>): AgentState {
  return {
    session: s.session,
    grants: s.grants.map((g) => {
      const grant: AgentGrant & { secondsLeft?: number | null } = { ...g };
      delete grant.secondsLeft;
      return grant;
    }),
    toApprove: s.toApprove,
    posture: s.posture,
    locked: s.locked,
    connected: s.connected,
  };
}

/**
 * The AccessPort over the agent's socket. `sessionParts` is called once, on the first call that
 * needs this window's session (its result is kept; a failure is retried on the next call).
 */
export async function overSocket(
  agent: SocketAgent,
  sessionParts: (invoke: AgentInvoke) => Promise<SessionParts>,
  log: (m: string) => void,
): Promise<AccessPort> {
  const { client, status } = agent;
  const state = new AgentStateStore(
    (error) => log(`state listener failed: ${String(error)}`),
    stateFromAgent(status),
  );
  client.onState((s) => state.update(stateFromAgent(s)));
  await client.request('state.subscribe', undefined);
  const invoke: AgentInvoke = (method, params) =>
    client.request(method as AgentMethodName, params as AgentParams<AgentMethodName>);
  let parts: Promise<SessionParts> | undefined;
  const session = (): Promise<SessionParts> =>
    (parts ??= sessionParts(invoke).catch((error: unknown) => {
      parts = undefined;
      throw error;
    }));
  const trigger = () => client.request('trigger', { reason: 'manual' });
  return {
    via: 'socket',
    state,
    call: <M extends Parameters<AccessPort['call']>[0]>(method: M, params: AgentParams<M>) =>
      client.request(method, params) as Promise<AgentResult<M>>,
    targets: async () => (await session()).targets(),
    approvalLink: async (id) => (await session()).approvalLink(id),
    deny: async (id, reason) => (await session()).deny(id, reason),
    openTerminal: async (grant, label) => (await session()).openTerminal(grant, label),
    // The protocol has no sign-in: this window signs in into the shared vault, the agent re-reads it.
    signIn: async () => {
      await (await session()).login();
      await trigger();
    },
    signOut: async () => {
      await (await session()).logout();
      await trigger();
    },
    refresh: async () => {
      await trigger();
    },
    dispose: async () => client.close(),
  };
}
