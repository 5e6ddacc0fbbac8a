import { homedir, networkInterfaces, tmpdir, userInfo } from 'node:os';
import { app, powerMonitor, session, shell } from 'electron';
import { systemClock } from '@strongroom/shared/agent/AgentClock.js';
import type { AgentNotificationAction } from '@strongroom/shared/agent/AgentNotifier.js';
import { agentSocketPath } from '@strongroom/shared/agent/agentSocketPath.js';
import { leanAgentHeap } from '@strongroom/shared/agent/leanAgentHeap.js';
import { startAgentServer } from '@strongroom/shared/agent/startAgentServer.js';
import { configPath } from '@strongroom/shared/config/configPath.js';
import { readStrongroomConfig } from '@strongroom/shared/config/readStrongroomConfig.js';
import { resolveProfile } from '@strongroom/shared/config/resolveProfile.js';
import { serveAwsFromAgent } from '@strongroom/shared/credentials/aws/serveAwsFromAgent.js';
import { createNodePostureHost } from '@strongroom/shared/posture/nodeHost.js';
import { serveServiceTokensFromAgent } from '@strongroom/shared/service-tokens/serveServiceTokensFromAgent.js';
import { createKeychainCredentialStore } from '@strongroom/shared/vault/createKeychainCredentialStore.js';
import { appBaseUrl } from './appPages.js';
import { APP_ASSET_DIR, ICON_DIR, PRELOAD_FILE } from './appPaths.js';
import { createAppWindows } from './createAppWindows.js';
import { createDesktopAgent } from './createDesktopAgent.js';
import { createDesktopMethods } from './createDesktopMethods.js';
import { createIpcHandler } from './createIpcHandler.js';
import { createTray } from './createTray.js';
import { hardenSession } from './hardenSession.js';
import { hardenWebContents } from './hardenWebContents.js';
import type { MenuAction } from './menuModel.js';
import { showNotification } from './showNotification.js';
import { watchNetwork, networkFingerprint } from './watchNetwork.js';
import { APP_PARTITION } from './windowOptions.js';
import { preloadLazyModulesSoon } from '@strongroom/shared/agent/preloadLazyModules.js';

/**
 * The tray app's main process: a thin shell. The agent (shared/) runs here and serves the local
 * socket; the tray and the windows draw its state; everything security-relevant is decided in the
 * modules this wires together (windowOptions, hardenSession, hardenWebContents, createIpcHandler).
 */
const log = (level: 'debug' | 'info' | 'warn' | 'error', message: string): void => {
  if (level !== 'debug' || process.env['STRONGROOM_DEBUG'] !== undefined)
    process.stderr.write(`strongroom-desktop: ${level}: ${message}\n`);
};

// The agent runs in this process for days, idle nearly all the time: the same V8 settings as
// `strongroom agent` (read when the work happens, so before the agent starts is early enough).
leanAgentHeap();
// Every renderer sandboxed, whatever a window's options say; one instance per user session.
app.enableSandbox();
if (!app.requestSingleInstanceLock()) app.exit(0);
// Any web contents that ever appears (windows, devtools) gets the navigation rules.
app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, (m) => log('warn', m)));
// The tray keeps running with no window open.
app.on('window-all-closed', () => undefined);

async function main(): Promise<void> {
  await app.whenReady();
  const config = await readStrongroomConfig(configPath(process.env, homedir()));
  const profile = resolveProfile(config, process.env['STRONGROOM_PROFILE']);
  const appBase = () => appBaseUrl(profile.broker);
  hardenSession(session.fromPartition(APP_PARTITION), appBase, APP_ASSET_DIR);

  const vault = createKeychainCredentialStore({ platform: process.platform });
  const parts = createDesktopAgent({
    host: {
      platform: process.platform,
      now: Date.now,
      log,
      notify: (message) => log('info', message),
      // RFC 8252 §4: sign-in in the system browser, never in an app window. Only the broker's URLs.
      openBrowser: async (url) => {
        if (!/^https?:$/.test(new URL(url).protocol)) throw new Error('refusing to open a non-web URL');
        await shell.openExternal(url);
      },
    },
    vault,
    profile,
    notifier: { show: (n) => showNotification(n, (action) => void runNotification(action)) },
    clock: systemClock,
    postureHost: createNodePostureHost,
    version: `strongroom-desktop/${app.getVersion()}`,
  });
  const { agent, desktop } = parts;

  const windows = createAppWindows({
    appBase,
    preload: PRELOAD_FILE,
    devTools: !app.isPackaged,
    handler: createIpcHandler({
      appBase,
      methods: createDesktopMethods({
        agent: desktop,
        approvals: parts.approvals,
        now: Date.now,
        openWindow: (page) => windows.open(page),
      }),
      log,
    }),
  });

  const attempt = (what: string, work: Promise<unknown>): void => {
    work.catch((error: unknown) =>
      log('warn', `${what}: ${error instanceof Error ? error.message : String(error)}`),
    );
  };
  const runMenu = (action: MenuAction): void => {
    switch (action.kind) {
      case 'signIn':
        return attempt('sign-in', desktop.signIn());
      case 'signOut':
        return attempt('sign-out', desktop.signOut());
      case 'openWindow':
        return windows.open(action.page);
      case 'activateGrant':
        return attempt('activate', desktop.call('grants.activate', { grantId: action.grantId }));
      case 'dropGrant':
        return attempt('drop', desktop.call('grants.drop', { grantId: action.grantId }));
      case 'refresh':
        return attempt('refresh', desktop.refresh());
      case 'toggleStartAtLogin':
        app.setLoginItemSettings({ openAtLogin: !app.getLoginItemSettings().openAtLogin });
        return tray.redraw();
      case 'quit':
        return app.quit();
    }
  };
  const runNotification = async (action: AgentNotificationAction): Promise<void> => {
    switch (action.kind) {
      case 'activate':
        return runMenu({ kind: 'activateGrant', grantId: action.grantId });
      case 'extend':
        return runMenu({ kind: 'openWindow', page: 'request' });
      case 'review':
        return runMenu({ kind: 'openWindow', page: 'approvals' });
      case 'signIn':
        return runMenu({ kind: 'signIn' });
      case 'showPosture':
        return runMenu({ kind: 'openWindow', page: 'posture' });
    }
  };

  const tray = createTray({
    iconDir: ICON_DIR,
    state: () => agent.state.get(),
    settings: () => ({ startAtLogin: app.getLoginItemSettings().openAtLogin }),
    dispatch: runMenu,
  });
  agent.state.subscribe((state) => {
    tray.redraw();
    windows.broadcast({ ...state, now: Date.now() });
  });
  app.on('second-instance', () => windows.open('status'));

  // Issue 8: posture re-checks on resume from sleep and on unlock (and every 5 minutes in the agent).
  powerMonitor.on('resume', () => agent.trigger('resume'));
  powerMonitor.on('unlock-screen', () => agent.trigger('unlock'));
  const stopWatchingNetwork = watchNetwork({
    read: () => networkFingerprint(networkInterfaces()),
    clock: systemClock,
    onChange: () => agent.trigger('network'),
  });

  // The local endpoint the CLI helpers and the extension use while the tray runs.
  const uid = process.getuid?.();
  const server = await startAgentServer({
    methods: agent.methods,
    endpoint: agentSocketPath({
      platform: process.platform,
      env: process.env,
      uid,
      tmpdir: tmpdir(),
      username: userInfo().username,
    }),
    platform: process.platform,
    uid,
    log,
  });
  // The AWS helper (issue 6): the loopback container-credentials endpoint behind `strongroom env aws`.
  const aws = await serveAwsFromAgent(agent, {
    profile,
    vault,
    broker: parts.broker,
    now: Date.now,
    log: (message) => log('info', message),
  });
  // Service tokens (issue 6): git-credential, kube-credential and token --audience ask the agent.
  const serviceTokens = serveServiceTokensFromAgent(agent, {
    profile,
    vault,
    now: Date.now,
    log: (message) => log('info', message),
  });
  await agent.start();
  preloadLazyModulesSoon((message) => log('warn', message));
  app.on('before-quit', () => {
    stopWatchingNetwork();
    agent.stop();
    serviceTokens.close();
    tray.destroy();
    void aws.close();
    void server.close();
  });
}

main().catch((error: unknown) => {
  log('error', error instanceof Error ? error.message : String(error));
  app.exit(1);
});
