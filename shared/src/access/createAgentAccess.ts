import { AgentClient } from '../agent/AgentClient.js';
import { agentSocketPath } from '../agent/agentSocketPath.js';
import { AgentStateStore, type AgentState } from '../agent/AgentState.js';
import { brokerJson } from '../agent/brokerJson.js';
import { systemClock } from '../agent/AgentClock.js';
import { createSessionAgent } from '../agent/createSessionAgent.js';
import type { ResolvedProfile } from '../config/resolveProfile.js';
import { serveAwsFromAgent } from '../credentials/aws/serveAwsFromAgent.js';
import { serveServiceTokensFromAgent } from '../service-tokens/serveServiceTokensFromAgent.js';
import type { PostureHost } from '../posture/PostureHost.js';
import { runPostureChecks } from '../posture/runPostureChecks.js';
import { collectPlatformFacts } from '../posture-attestation/collectPlatformFacts.js';
import type {
  AgentGrant,
  AgentMethodName,
  AgentParams,
  AgentResult,
  AgentStateSnapshot,
} from '../protocol/agentApi.js';
import { accessRequestViewSchema, targetsResponseSchema } from '../protocol/jitApi.js';
import { sshCertificateResponseSchema } from '../protocol/sshApi.js';
import { createSessionController, type SessionController } from '../session/createSessionController.js';
import type { HostContext } from '../session/HostContext.js';
import type { CredentialStore } from '../vault/CredentialStore.js';
import { z } from 'zod';
import type { AccessPort } from './AccessPort.js';
import { elevatedTerminal, type AgentInvoke, type ElevatedTerminalOptions } from './elevatedTerminal.js';
import type { TerminalSshOptions } from './terminalSsh.js';

export interface AgentAccessOptions {
  readonly host: HostContext;
  readonly vault: CredentialStore;
  readonly profile: ResolvedProfile;
  readonly postureHost: () => PostureHost;
  /** `strongroom-vscode/0.1.0`: posture reports and the agent's status name it. */
  readonly version: string;
  /** `auto`: the tray's agent over its socket when it runs; `inProcess`: always our own. */
  readonly mode: 'auto' | 'inProcess';
  readonly env: NodeJS.ProcessEnv;
  readonly uid: number | undefined;
  readonly tmpdir: string;
  /** `ssh`: where terminals' ssh-agents live and which host groups a grant covers (the broker call is ours). */
  readonly terminal: Omit<ElevatedTerminalOptions, 'log' | 'ssh'> & {
    readonly ssh?: Omit<TerminalSshOptions, 'issue' | 'now'> | undefined;
  };
}

const linkSchema = z.object({ url: z.string().url(), expiresAt: z.number() });

/**
 * The access UI's agent (issue 7: "talks to the tray app's agent over its local socket when that
 * runs, and otherwise runs the same agent in-process with the same keychain vault"). Either way the
 * UI sees one AccessPort: the agent's state and methods, plus the broker calls that are not agent
 * methods (targets, approval link, deny) over the same vault's DPoP-bound session.
 */
export async function createAgentAccess(options: AgentAccessOptions): Promise<AccessPort> {
  const { host, vault, profile } = options;
  // The agent tells the user itself (or, over the socket, the host reads its state): the
  // session's own notes only log.
  const quietHost: HostContext = { ...host, notify: (message) => host.log('info', message) };
  const session = createSessionController({ host: quietHost, store: vault, profile });
  const log = (m: string): void => host.log('info', m);

  if (options.mode === 'auto') {
    const endpoint = agentSocketPath({
      platform: host.platform,
      env: options.env,
      uid: options.uid,
      tmpdir: options.tmpdir,
    });
    const client = await AgentClient.connect(endpoint, options.uid);
    if (client !== undefined) {
      // An agent serving another profile answers not_found: then this window runs its own.
      const status = await client.request('status', { profile: profile.name }).catch(() => undefined);
      if (
        status !== undefined &&
        status.agent.profile === profile.name &&
        status.agent.broker === profile.broker
      ) {
        host.log('info', `using the Strongroom agent at ${endpoint.path}`);
        return overSocket(client, session, status, options, log);
      }
      client.close();
      host.log('info', 'the running agent serves another profile; running one in this window');
    }
  }
  return inProcess(session, options, log);
}

/**
 * Elevated terminals through the agent's methods, whichever way the agent is reached. SSH
 * certificates come from the broker over this window's session (as `strongroom ssh-cert` does), into
 * an ssh-agent this host runs for the terminal: the tray's agent may be another process, while the
 * terminal's ssh-agent must live and die with the terminal, which this host tracks.
 */
function terminalOpener(
  invoke: AgentInvoke,
  session: SessionController,
  options: AgentAccessOptions,
  log: (m: string) => void,
): AccessPort['openTerminal'] {
  const revoke = async (ids: readonly string[]): Promise<void> => {
    for (const terminalId of ids) await invoke('terminal.revoke', { terminalId });
  };
  const { ssh, ...rest } = options.terminal;
  const terminal: ElevatedTerminalOptions = {
    ...rest,
    log,
    ssh:
      ssh === undefined
        ? undefined
        : {
            ...ssh,
            now: options.host.now,
            issue: (request) =>
              brokerJson(
                session.api,
                'POST',
                '/api/v1/credentials/ssh',
                sshCertificateResponseSchema,
                request,
              ),
          },
  };
  return (grant, label) => elevatedTerminal(invoke, revoke, grant, label, terminal);
}

function brokerParts(session: SessionController): Pick<AccessPort, 'targets' | 'approvalLink' | 'deny'> {
  return {
    targets: () => brokerJson(session.api, 'GET', '/api/v1/targets', targetsResponseSchema),
    approvalLink: (id) =>
      brokerJson(session.api, 'POST', `/api/v1/requests/${encodeURIComponent(id)}/approval-link`, linkSchema),
    deny: async (id, reason) => {
      await brokerJson(
        session.api,
        'POST',
        `/api/v1/requests/${encodeURIComponent(id)}/deny`,
        z.object({ request: accessRequestViewSchema }),
        { reason },
      );
    },
  };
}

async function inProcess(
  session: SessionController,
  options: AgentAccessOptions,
  log: (m: string) => void,
): Promise<AccessPort> {
  const { host, vault, profile } = options;
  const agent = createSessionAgent({
    profile,
    session,
    vault,
    clock: systemClock,
    // The host draws notifications from the state (NotificationPlanner), in both modes alike.
    notifier: { show: (n) => host.log('info', `${n.title}: ${n.body}`) },
    posture: {
      run: () => runPostureChecks(options.postureHost()),
      platformFacts: () => collectPlatformFacts(options.postureHost()),
    },
    platform: host.platform,
    version: options.version,
    log: host.log,
  });
  const aws = await serveAwsFromAgent(agent, { profile, vault, broker: session.api, now: host.now, log });
  const serviceTokens = serveServiceTokensFromAgent(agent, { profile, vault, now: host.now, log });
  await agent.start();
  const invoke: AgentInvoke = (method, params) =>
    agent.methods.invoke(method as AgentMethodName, params as AgentParams<AgentMethodName>);
  return {
    via: 'inProcess',
    state: agent.state,
    call: (method, params) => agent.call(method, params),
    ...brokerParts(session),
    openTerminal: terminalOpener(invoke, session, options, log),
    signIn: () => agent.signIn(),
    signOut: () => agent.signOut(),
    refresh: async () => {
      agent.trigger('manual');
      await agent.idle();
    },
    dispose: async () => {
      agent.stop();
      serviceTokens.close();
      await aws.close();
    },
  };
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

async function overSocket(
  client: AgentClient,
  session: SessionController,
  status: AgentResult<'status'>,
  options: AgentAccessOptions,
  log: (m: string) => void,
): Promise<AccessPort> {
  const state = new AgentStateStore(
    (error) => log(`state listener failed: ${String(error)}`),
    stateFromAgent(status),
  );
  client.onState((s) => state.update(stateFromAgent(s)));
  await client.request('state.subscribe', undefined);
  const invoke: AgentInvoke = (method, params) => client.request(method, params);
  const trigger = () => client.request('trigger', { reason: 'manual' });
  return {
    via: 'socket',
    state,
    call: <M extends Parameters<AccessPort['call']>[0]>(method: M, params: AgentParams<M>) =>
      client.request(method, params) as Promise<AgentResult<M>>,
    ...brokerParts(session),
    openTerminal: terminalOpener(invoke, session, options, log),
    // The protocol has no sign-in: this window signs in into the shared vault, the agent re-reads it.
    signIn: async () => {
      await session.login();
      await trigger();
    },
    signOut: async () => {
      await session.logout();
      await trigger();
    },
    refresh: async () => {
      await trigger();
    },
    dispose: async () => client.close(),
  };
}
