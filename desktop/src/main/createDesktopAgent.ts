import type { Agent } from '@strongroom/shared/agent/createAgent.js';
import { createSessionAgent } from '@strongroom/shared/agent/createSessionAgent.js';
import type { BrokerClient } from '@strongroom/shared/broker-client/createBrokerClient.js';
import type { AgentClock } from '@strongroom/shared/agent/AgentClock.js';
import type { AgentNotifier } from '@strongroom/shared/agent/AgentNotifier.js';
import { brokerJson } from '@strongroom/shared/agent/brokerJson.js';
import type { ResolvedProfile } from '@strongroom/shared/config/resolveProfile.js';
import type { PostureHost } from '@strongroom/shared/posture/PostureHost.js';
import { runPostureChecks } from '@strongroom/shared/posture/runPostureChecks.js';
import { collectPlatformFacts } from '@strongroom/shared/posture-attestation/collectPlatformFacts.js';
import { targetsResponseSchema } from '@strongroom/shared/protocol/jitApi.js';
import { createSessionController } from '@strongroom/shared/session/createSessionController.js';
import type { HostContext } from '@strongroom/shared/session/HostContext.js';
import type { CredentialStore } from '@strongroom/shared/vault/CredentialStore.js';
import { createApprovalClient, type ApprovalClient } from './createApprovalClient.js';
import type { DesktopAgent } from './DesktopAgent.js';

export interface DesktopAgentSetup {
  /** Platform, system-browser opener, clock and log of the host (Electron main, or a test). */
  host: HostContext;
  vault: CredentialStore;
  profile: ResolvedProfile;
  notifier: AgentNotifier;
  clock: AgentClock;
  postureHost: () => PostureHost;
  version: string;
}

export interface DesktopAgentParts {
  /** shared's agent itself: its socket server and helpers attach here. */
  agent: Agent;
  /** The slice the tray and its windows use. */
  desktop: DesktopAgent;
  approvals: ApprovalClient;
  /** The DPoP-bound broker client of the agent's session (credential helpers such as AWS use it). */
  broker: BrokerClient;
}

/**
 * The agent in the tray's main process (issue 8: "the tray is its home"): shared's createAgent
 * over one session controller, the keychain vault, the device key and the real posture checks,
 * plus the two things the windows need that are not agent methods: the request form's targets and
 * the approval ceremony's broker calls, both over the same DPoP-bound session.
 */
export function createDesktopAgent(setup: DesktopAgentSetup): DesktopAgentParts {
  const { host, vault, profile, clock } = setup;
  // The agent tells the user itself (coalesced, with actions); the session's own notes only log.
  const quietHost: HostContext = { ...host, notify: (message) => host.log('info', message) };
  const session = createSessionController({ host: quietHost, store: vault, profile });
  const agent = createSessionAgent({
    profile,
    session,
    vault,
    clock,
    notifier: setup.notifier,
    posture: {
      run: () => runPostureChecks(setup.postureHost()),
      platformFacts: () => collectPlatformFacts(setup.postureHost()),
    },
    platform: host.platform,
    version: setup.version,
    log: host.log,
  });
  const desktop: DesktopAgent = {
    state: agent.state,
    call: (method, params) => agent.call(method, params),
    targets: () => brokerJson(session.api, 'GET', '/api/v1/targets', targetsResponseSchema),
    signIn: () => agent.signIn(),
    signOut: () => agent.signOut(),
    async refresh() {
      agent.trigger('manual');
      await agent.idle();
    },
  };
  return { agent, desktop, approvals: createApprovalClient(session.api), broker: session.api };
}
