import { tmpdir, userInfo } from 'node:os';
import { systemClock } from '@strongroom/shared/agent/AgentClock.js';
import type { AgentNotification } from '@strongroom/shared/agent/AgentNotifier.js';
import { agentSocketPath } from '@strongroom/shared/agent/agentSocketPath.js';
import { createSessionAgent } from '@strongroom/shared/agent/createSessionAgent.js';
import { serveAwsFromAgent } from '@strongroom/shared/credentials/aws/serveAwsFromAgent.js';
import { startAgentServer } from '@strongroom/shared/agent/startAgentServer.js';
import { serveServiceTokensFromAgent } from '@strongroom/shared/service-tokens/serveServiceTokensFromAgent.js';
import { createNodePostureHost } from '@strongroom/shared/posture/nodeHost.js';
import { collectPlatformFacts } from '@strongroom/shared/posture-attestation/collectPlatformFacts.js';
import { createSessionController } from '@strongroom/shared/session/createSessionController.js';
import type { HostContext } from '@strongroom/shared/session/HostContext.js';
import { agentVersion } from '../agentVersion.js';
import { cliContext, type GlobalOptions } from '../cliContext.js';
import { EXIT } from '../exitCodes.js';
import { leanAgentHeap } from '@strongroom/shared/agent/leanAgentHeap.js';
import { openSystemBrowser } from '../openSystemBrowser.js';
import { runPostureInChild } from '../runPostureInChild.js';
import { preloadLazyModulesSoon } from '@strongroom/shared/agent/preloadLazyModules.js';

/** One line per notification on stderr: the headless agent's "tray". Never a secret in it. */
function printNotification(n: AgentNotification, json: boolean): void {
  if (json) {
    process.stderr.write(`${JSON.stringify({ notification: n })}\n`);
    return;
  }
  const actions = n.actions.map((a) =>
    'grantId' in a ? `${a.kind} ${a.grantId}` : 'requestId' in a ? `${a.kind} ${a.requestId}` : a.kind,
  );
  process.stderr.write(
    `strongroom agent: [${n.severity}] ${n.title}\n${n.body
      .split('\n')
      .map((l) => `  ${l}\n`)
      .join('')}${actions.length > 0 ? `  (${actions.join(', ')})\n` : ''}`,
  );
}

/**
 * `strongroom agent`: runs the agent in the foreground (headless hosts, CI, and what the tray runs
 * in-process): the session kept fresh while posture passes, posture every 5 minutes with
 * attestation, the broker's events followed, and the local socket for `strongroom status`/`token`,
 * the credential helpers and the extension. Stops on SIGINT/SIGTERM and removes its socket.
 */
export async function agent(
  global: GlobalOptions,
  options: { json?: boolean; postureInterval?: string },
): Promise<number> {
  leanAgentHeap();
  const context = await cliContext(global, async (url) => {
    await openSystemBrowser(url, process.env, process.platform);
  });
  const debug = process.env['STRONGROOM_DEBUG'] !== undefined;
  const log: HostContext['log'] = (level, message) => {
    if (debug || level !== 'debug')
      process.stderr.write(`strongroom agent: ${level === 'info' ? '' : `${level}: `}${message}\n`);
  };
  // The agent tells the user itself (coalesced); the session code's own notices would be doubles.
  const host: HostContext = { ...context.host, now: systemClock.now, log, notify: (m) => log('debug', m) };
  const session = createSessionController({ host, store: context.store, profile: context.profile });
  const postureHost = createNodePostureHost();
  const intervalMinutes = options.postureInterval === undefined ? 5 : Number(options.postureInterval);
  if (!Number.isFinite(intervalMinutes) || intervalMinutes < 1 || intervalMinutes > 60) {
    process.stderr.write('strongroom: --posture-interval takes minutes from 1 to 60.\n');
    return EXIT.usage;
  }
  const instance = createSessionAgent({
    profile: context.profile,
    session,
    vault: context.store,
    clock: systemClock,
    notifier: { show: (n) => printNotification(n, options.json === true) },
    posture: {
      run: runPostureInChild,
      platformFacts: () => collectPlatformFacts(postureHost),
    },
    platform: process.platform,
    version: agentVersion(),
    log,
    options: { postureIntervalMs: intervalMinutes * 60_000 },
  });
  // The AWS helper (issue 6): the loopback container-credentials endpoint behind `strongroom env aws`.
  const aws = await serveAwsFromAgent(instance, {
    profile: context.profile,
    vault: context.store,
    broker: session.api,
    now: systemClock.now,
    log: (message) => log('info', message),
  });
  // Service tokens (issue 6): git-credential, kube-credential and token --audience ask the agent.
  const serviceTokens = serveServiceTokensFromAgent(instance, {
    profile: context.profile,
    vault: context.store,
    now: systemClock.now,
    log: (message) => log('info', message),
  });
  const uid = process.getuid?.();
  const endpoint = agentSocketPath({
    platform: process.platform,
    env: process.env,
    uid,
    tmpdir: tmpdir(),
    username: userInfo().username,
  });
  const server = await startAgentServer({
    methods: instance.methods,
    endpoint,
    platform: process.platform,
    uid,
    log,
  });
  if (!server.peersVerified)
    log(
      'warn',
      'This platform does not tell the agent who connects: only the socket file modes (0600 in a 0700 directory) protect it.',
    );
  await instance.start();
  preloadLazyModulesSoon((message) => log('warn', message));
  process.stderr.write(
    `strongroom agent: ready on ${server.path} (profile "${context.profile.name}", ${context.profile.broker})\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  instance.stop();
  serviceTokens.close();
  await aws.close();
  await server.close();
  process.stderr.write('strongroom agent: stopped\n');
  return EXIT.ok;
}
