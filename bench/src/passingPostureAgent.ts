import { homedir, tmpdir } from 'node:os';
import { systemClock } from '@strongroom/shared/agent/AgentClock.js';
import { agentSocketPath } from '@strongroom/shared/agent/agentSocketPath.js';
import { createSessionAgent } from '@strongroom/shared/agent/createSessionAgent.js';
import { startAgentServer } from '@strongroom/shared/agent/startAgentServer.js';
import { configPath } from '@strongroom/shared/config/configPath.js';
import { readStrongroomConfig } from '@strongroom/shared/config/readStrongroomConfig.js';
import { resolveProfile } from '@strongroom/shared/config/resolveProfile.js';
import { postureCheckIds, postureCheckTitles } from '@strongroom/shared/posture/PostureCheckId.js';
import type { PostureReport } from '@strongroom/shared/posture/PostureReport.js';
import { serveServiceTokensFromAgent } from '@strongroom/shared/service-tokens/serveServiceTokensFromAgent.js';
import { createSessionController } from '@strongroom/shared/session/createSessionController.js';
import { createKeychainCredentialStore } from '@strongroom/shared/vault/createKeychainCredentialStore.js';

/**
 * `strongroom agent`'s wiring for the service-token helper (agent, helper, socket) with a posture
 * report that passes, for agentBench's `git-credential get` timing: the agent holds credentials
 * back while posture fails, and this CI machine's real checks fail. Prints `ready` on stdout once
 * it serves; stops on SIGTERM. Run by agentBench with the benchmark's isolated environment.
 */
const passing = (): PostureReport => ({
  platform: 'linux',
  checkedAt: new Date().toISOString(),
  checks: postureCheckIds.map((id) => ({
    id,
    title: postureCheckTitles[id],
    status: 'pass' as const,
    observed: 'benchmark: passing by construction',
    expected: 'pass',
    fix: 'none',
    durationMs: 0,
  })),
});

const profile = resolveProfile(
  await readStrongroomConfig(configPath(process.env, homedir())),
  process.env['STRONGROOM_PROFILE'],
);
const vault = createKeychainCredentialStore({ platform: process.platform });
const quiet = (): void => undefined;
const host = {
  platform: process.platform,
  openBrowser: async () => undefined,
  now: Date.now,
  log: quiet,
  notify: quiet,
};
const session = createSessionController({ host, store: vault, profile });
const agent = createSessionAgent({
  profile,
  session,
  vault,
  clock: systemClock,
  notifier: { show: quiet },
  posture: {
    run: () => Promise.resolve(passing()),
    platformFacts: () => Promise.reject(new Error('not enrolled')),
  },
  platform: process.platform,
  version: 'strongroom-bench-agent/1',
  log: quiet,
});
const tokens = serveServiceTokensFromAgent(agent, { profile, vault, now: Date.now, log: quiet });
const uid = process.getuid?.();
const endpoint = agentSocketPath({ platform: process.platform, env: process.env, uid, tmpdir: tmpdir() });
const server = await startAgentServer({
  methods: agent.methods,
  endpoint,
  platform: process.platform,
  uid,
  log: quiet,
});
await agent.start();
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  agent.stop();
  tokens.close();
  void server.close().then(() => process.exit(0));
});
