import { brokerJson } from '../agent/brokerJson.js';
import { systemClock } from '../agent/AgentClock.js';
import { createSessionAgent } from '../agent/createSessionAgent.js';
import type { ResolvedProfile } from '../config/resolveProfile.js';
import { serveAwsFromAgent } from '../credentials/aws/serveAwsFromAgent.js';
import { serveServiceTokensFromAgent } from '../service-tokens/serveServiceTokensFromAgent.js';
import type { PostureHost } from '../posture/PostureHost.js';
import type { AgentMethodName, AgentParams } from '../protocol/agentApi.js';
import { accessRequestViewSchema, targetsResponseSchema } from '../protocol/jitApi.js';
import { sshCertificateResponseSchema } from '../protocol/sshApi.js';
import { createSessionController, type SessionController } from '../session/createSessionController.js';
import type { HostContext } from '../session/HostContext.js';
import type { CredentialStore } from '../vault/CredentialStore.js';
import { z } from 'zod';
import type { AccessPort } from './AccessPort.js';
import { findSocketAgent, overSocket, type SessionParts } from './createSocketAccess.js';
import { elevatedTerminal, type AgentInvoke, type ElevatedTerminalOptions } from './elevatedTerminal.js';
import type { TerminalSshOptions } from './terminalSsh.js';
import { preloadLazyModulesSoon } from '../agent/preloadLazyModules.js';

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
  const session = createAccessSession(options);
  const log = (m: string): void => options.host.log('info', m);

  if (options.mode === 'auto') {
    const agent = await findSocketAgent(options);
    if (agent !== undefined)
      return overSocket(agent, async (invoke) => socketSessionParts(session, invoke, options, log), log);
  }
  return inProcess(session, options, log);
}

/** This window's session over the vault (sign-in, the broker calls that are not agent methods). */
export function createAccessSession(
  options: Pick<AgentAccessOptions, 'host' | 'vault' | 'profile'>,
): SessionController {
  const { host, vault, profile } = options;
  // The agent tells the user itself (or, over the socket, the host reads its state): the
  // session's own notes only log.
  const quietHost: HostContext = { ...host, notify: (message) => host.log('info', message) };
  return createSessionController({ host: quietHost, store: vault, profile });
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
  // The first state (the vault's session, read by start()) is drawn before anything slow starts on
  // this thread: the posture checks' processes and the first broker call (which loads Node's fetch)
  // wait for one turn of the event loop after start(), by which time the host has drawn it.
  let open = (): void => undefined;
  const started = new Promise<void>((resolve) => (open = resolve));
  const afterStart = async <T>(work: () => Promise<T>): Promise<T> => {
    await started;
    return work();
  };
  const agent = createSessionAgent({
    profile,
    session,
    broker: { request: (method, path, body) => afterStart(() => session.api.request(method, path, body)) },
    vault,
    clock: systemClock,
    // The host draws notifications from the state (NotificationPlanner), in both modes alike.
    notifier: { show: (n) => host.log('info', `${n.title}: ${n.body}`) },
    posture: {
      // The checks' code is loaded when they first run, after the first state.
      run: () =>
        afterStart(async () =>
          (await import('../posture/runPostureChecks.js')).runPostureChecks(options.postureHost()),
        ),
      platformFacts: () =>
        afterStart(async () =>
          (await import('../posture-attestation/collectPlatformFacts.js')).collectPlatformFacts(
            options.postureHost(),
          ),
        ),
    },
    platform: host.platform,
    version: options.version,
    log: host.log,
  });
  const aws = await serveAwsFromAgent(agent, { profile, vault, broker: session.api, now: host.now, log });
  const serviceTokens = serveServiceTokensFromAgent(agent, { profile, vault, now: host.now, log });
  await agent.start().finally(() => setImmediate(open));
  preloadLazyModulesSoon((message) => log(message));
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

export { stateFromAgent } from './createSocketAccess.js';

/**
 * Over the socket, the parts that go through this window's own session (see createSocketAccess.ts):
 * a host whose socket path loads no session code calls this on first use.
 */
export function socketSessionParts(
  session: SessionController,
  invoke: AgentInvoke,
  options: AgentAccessOptions,
  log: (m: string) => void,
): SessionParts {
  return {
    ...brokerParts(session),
    openTerminal: terminalOpener(invoke, session, options, log),
    login: async () => {
      await session.login();
    },
    logout: async () => {
      await session.logout();
    },
  };
}
