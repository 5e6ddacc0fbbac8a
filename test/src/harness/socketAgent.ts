import { tmpdir } from 'node:os';
import { systemClock } from '@strongroom/shared/agent/AgentClock.js';
import { agentSocketPath, type AgentEndpoint } from '@strongroom/shared/agent/agentSocketPath.js';
import type { Agent } from '@strongroom/shared/agent/createAgent.js';
import { createSessionAgent } from '@strongroom/shared/agent/createSessionAgent.js';
import { startAgentServer } from '@strongroom/shared/agent/startAgentServer.js';
import { configPath } from '@strongroom/shared/config/configPath.js';
import { readStrongroomConfig } from '@strongroom/shared/config/readStrongroomConfig.js';
import { resolveProfile, type ResolvedProfile } from '@strongroom/shared/config/resolveProfile.js';
import { serveAwsFromAgent } from '@strongroom/shared/credentials/aws/serveAwsFromAgent.js';
import {
  serveServiceTokensFromAgent,
  type ServiceTokenAgentService,
} from '@strongroom/shared/service-tokens/serveServiceTokensFromAgent.js';
import { runPostureChecks } from '@strongroom/shared/posture/runPostureChecks.js';
import { collectPlatformFacts } from '@strongroom/shared/posture-attestation/collectPlatformFacts.js';
import { createSessionController } from '@strongroom/shared/session/createSessionController.js';
import type { CredentialStore } from '@strongroom/shared/vault/CredentialStore.js';
import { createKeychainCredentialStore } from '@strongroom/shared/vault/createKeychainCredentialStore.js';
import { recordedWorkstation } from './recordedWorkstation.js';

export interface SocketAgent {
  readonly agent: Agent;
  readonly socketPath: string;
  /** Where the CLI finds it (for `AgentClient.connect`). */
  readonly endpoint: AgentEndpoint;
  /** The profile the agent serves (from the person's CLI config). */
  readonly profile: ResolvedProfile;
  /** The session's keychain the agent and the CLI share. */
  readonly vault: CredentialStore;
  /** The agent's loopback AWS container-credentials endpoint (started by its first terminal, or by this). */
  awsOrigin(): Promise<string>;
  /** The agent's service-token helper (its counters show memory hits vs fetches). */
  readonly serviceTokens: ServiceTokenAgentService;
  stop(): Promise<void>;
}

/**
 * The tray's agent for one person, headless (what `strongroom agent` and the tray run): createAgent
 * with the AWS helper, serving its socket in that person's `XDG_RUNTIME_DIR`, on the session's
 * keychain and their CLI profile. Posture runs on a recorded passing workstation (the checks run
 * for real over recorded facts): this CI VM fails disk encryption, and the agent holds credentials
 * back while posture fails; `firewall` is read at every posture run, so a test can open it to make
 * posture fail.
 */
export async function startSocketAgent(
  env: NodeJS.ProcessEnv,
  options: { firewall?: () => 'on' | 'open'; version?: string } = {},
): Promise<SocketAgent> {
  const firewall = options.firewall ?? (() => 'on');
  const profile = resolveProfile(
    await readStrongroomConfig(configPath(env, env['HOME'] ?? '')),
    env['STRONGROOM_PROFILE'],
  );
  const store = createKeychainCredentialStore({ platform: process.platform });
  const log = (level: string, message: string): void => {
    if (process.env['STRONGROOM_DEBUG']) process.stderr.write(`agent ${level}: ${message}\n`);
  };
  const host = {
    platform: process.platform,
    openBrowser: async () => undefined,
    now: Date.now,
    log,
    notify: () => undefined,
  };
  const session = createSessionController({ host, store, profile });
  const agent = createSessionAgent({
    profile,
    session,
    vault: store,
    clock: systemClock,
    notifier: { show: () => undefined },
    posture: {
      run: () => {
        const machine = recordedWorkstation({ firewall: firewall() });
        return runPostureChecks(machine.host, machine.options);
      },
      platformFacts: () => collectPlatformFacts(recordedWorkstation({ firewall: firewall() }).host),
    },
    platform: 'linux',
    version: options.version ?? 'strongroom-test-agent/1',
    log,
  });
  const aws = await serveAwsFromAgent(agent, {
    profile,
    vault: store,
    broker: session.api,
    now: Date.now,
    log: (m) => log('info', m),
  });
  const serviceTokens = serveServiceTokensFromAgent(agent, {
    profile,
    vault: store,
    now: Date.now,
    log: (m) => log('info', m),
  });
  const uid = process.getuid?.();
  const endpoint = agentSocketPath({
    platform: process.platform,
    env,
    uid,
    tmpdir: env['TMPDIR'] ?? tmpdir(),
  });
  const server = await startAgentServer({
    methods: agent.methods,
    endpoint,
    platform: process.platform,
    uid,
    log,
  });
  await agent.start();
  let stopped = false;
  return {
    agent,
    socketPath: endpoint.path,
    endpoint,
    profile,
    vault: store,
    awsOrigin: () => aws.origin(),
    serviceTokens,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      agent.stop();
      serviceTokens.close();
      await aws.close();
      await server.close();
    },
  };
}
