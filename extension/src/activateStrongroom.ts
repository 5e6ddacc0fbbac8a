import type { AccessPort } from '@strongroom/shared/access/AccessPort.js';
import { NotificationPlanner } from '@strongroom/shared/access/NotificationPlanner.js';
import type { AgentState } from '@strongroom/shared/agent/AgentState.js';
import type { HostContext } from '@strongroom/shared/session/HostContext.js';
import { AccessTree, type ViewId } from './AccessTrees.js';
import type { CoreFullModule, CoreModule } from './core.js';
import type { Deps } from './Deps.js';
import { ElevatedTerminals, workspaceTrusted } from './ElevatedTerminals.js';
import type { Settings } from './settings.js';
import { guarded, showError } from './showError.js';
import { showNotices } from './showNotices.js';
import { StatusBar } from './StatusBar.js';
import type { VscodeApi, vscode } from './VscodeApi.js';

export interface ActivationOptions {
  /** Loads the client core (the second bundle) and makes the agent. */
  readonly loadCore: () => Promise<CoreModule>;
  readonly env: NodeJS.ProcessEnv;
  readonly platform: NodeJS.Platform;
  readonly version: string;
  readonly now?: () => number;
  /** Countdown redraw period. */
  readonly tickMs?: number;
}

export interface Activated {
  /** Resolves once the agent is loaded and its first state is shown. */
  readonly ready: Promise<AccessPort | undefined>;
  readonly statusBar: StatusBar;
  dispose(): void;
}

const VIEWS: readonly ViewId[] = [
  'strongroom.grants',
  'strongroom.requests',
  'strongroom.toReview',
  'strongroom.posture',
];

/**
 * activate(): registers the commands, the status bar and the views, and returns. Nothing heavy
 * runs here (issue 7: lazy activation): the client core is loaded right after, in the background,
 * and every command waits for it.
 */
export function activateStrongroom(
  vscodeApi: VscodeApi,
  context: Pick<vscode.ExtensionContext, 'subscriptions'>,
  options: ActivationOptions,
): Activated {
  const now = options.now ?? Date.now;
  const output = vscodeApi.window.createOutputChannel('Strongroom', { log: true });
  const log: Deps['log'] = (level, message) => output[level](message);
  const statusBar = new StatusBar(vscodeApi);
  const terminals = new ElevatedTerminals(vscodeApi, (m) => log('info', m));
  let settings: Settings | undefined;
  let loaded: AccessPort | undefined;
  let core: Promise<AccessPort> | undefined;

  const host: HostContext = {
    platform: options.platform,
    // RFC 8252 §4: the system browser, never a webview.
    openBrowser: async (url) => {
      const opened = await vscodeApi.env.openExternal(vscodeApi.Uri.parse(url, true));
      if (!opened) throw new Error('VS Code did not open the browser');
    },
    now,
    log: (level, message) => (level === 'debug' ? output.debug(message) : output[level](message)),
    notify: (message) => void vscodeApi.window.showInformationMessage(`Strongroom: ${message}`),
  };

  const access = (): Promise<AccessPort> =>
    (core ??= (async () => {
      const { createCoreAccess, readSettings } = await options.loadCore();
      settings = readSettings(vscodeApi);
      const port = await createCoreAccess({
        settings,
        host,
        env: options.env,
        agentVersion: `strongroom-vscode/${options.version}`,
      });
      loaded = port;
      port.state.subscribe((state) => onState(state));
      // The first state now (the tray's current state, or the vault's session); the refresh (the
      // broker, this machine's posture checks) redraws through the subscription when it lands.
      onState(port.state.get());
      void port
        .refresh()
        .catch((error: unknown) =>
          log('warn', `first refresh failed: ${error instanceof Error ? error.message : String(error)}`),
        );
      return port;
    })().catch((error: unknown) => {
      core = undefined; // a later command tries again (settings fixed, broker back)
      throw error;
    }));

  const deps: Deps = { vscode: vscodeApi, access, terminals, now, log };
  const trees = VIEWS.map((view) => {
    const tree = new AccessTree(vscodeApi, view, () => loaded, now);
    context.subscriptions.push(vscodeApi.window.registerTreeDataProvider(view, tree));
    return tree;
  });
  const planner = new NotificationPlanner();

  function render(state: AgentState): void {
    statusBar.render(state, now(), settings?.showCountdown ?? true);
  }
  function onState(state: AgentState): void {
    render(state);
    for (const tree of trees) tree.refresh();
    terminals.onState(state);
    void vscodeApi.commands.executeCommand(
      'setContext',
      'strongroom.signedIn',
      state.session.status === 'signedIn',
    );
    showNotices(vscodeApi, planner.observe(state, now()));
  }

  // The commands' code is in the core's second bundle (coreFull: it needs the wire schemas and the
  // session); loaded on first use.
  const inCore =
    <K extends keyof CoreFullModule['commands']>(name: K) =>
    async (...args: unknown[]): Promise<unknown> => {
      const { commands: core } = await (await options.loadCore()).loadFull();
      return (core[name] as (deps: Deps, ...rest: unknown[]) => Promise<unknown>)(deps, ...args);
    };
  const commands: Record<string, (...args: unknown[]) => Promise<unknown>> = {
    'strongroom.signIn': inCore('signIn'),
    'strongroom.signOut': inCore('signOut'),
    'strongroom.requestAccess': inCore('requestAccess'),
    'strongroom.showAccess': inCore('showAccess'),
    'strongroom.activateGrant': inCore('activateGrant'),
    'strongroom.dropElevation': inCore('dropElevation'),
    'strongroom.reviewRequests': inCore('reviewRequests'),
    'strongroom.checkPosture': inCore('checkPosture'),
    'strongroom.openElevatedTerminal': inCore('openElevatedTerminal'),
    'strongroom.refresh': async () => (await access()).refresh(),
    'strongroom.statusBarMenu': () => statusBarMenu(deps),
  };
  for (const [id, run] of Object.entries(commands))
    context.subscriptions.push(vscodeApi.commands.registerCommand(id, guarded(deps, run)));

  context.subscriptions.push(
    output,
    statusBar.item,
    terminals.listen(),
    vscodeApi.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('strongroom'))
        void vscodeApi.window.showInformationMessage(
          'Strongroom: settings changed; reload the window to apply them.',
        );
    }),
  );

  // The countdown: a redraw from the state and the clock, no broker call.
  const tick = setInterval(() => {
    if (loaded === undefined) return;
    const state = loaded.state.get();
    render(state);
    showNotices(vscodeApi, planner.observe(state, now()));
    if (state.grants.length > 0) trees[0]?.refresh();
  }, options.tickMs ?? 1000);

  // After activate() has returned: loading the core (and starting Node's ESM loader for it) is
  // not part of activation.
  const ready = new Promise<void>((resolve) => setTimeout(resolve, 0)).then(access).then(
    (port) => port,
    async (error: unknown) => {
      statusBar.problem(error instanceof Error ? error.message : String(error));
      await showError(deps, error);
      return undefined;
    },
  );

  return {
    ready,
    statusBar,
    dispose: () => {
      clearInterval(tick);
      void terminals.revokeAll().finally(() => void loaded?.dispose());
    },
  };
}

/** The status bar's click: the actions that make sense now. */
export async function statusBarMenu(deps: Deps): Promise<void> {
  const access = await deps.access();
  const state = access.state.get();
  const items: Array<{ label: string; command: string }> = [];
  if (state.session.status === 'signedOut')
    items.push({ label: '$(key) Sign In', command: 'strongroom.signIn' });
  else {
    if (state.grants.some((g) => g.state === 'active')) {
      // Not offered in an untrusted workspace (the command refuses there anyway).
      if (workspaceTrusted(deps.vscode))
        items.push({
          label: '$(terminal) Open Elevated Terminal',
          command: 'strongroom.openElevatedTerminal',
        });
      items.push({ label: '$(debug-stop) Drop Elevation', command: 'strongroom.dropElevation' });
    }
    if (state.grants.some((g) => g.state === 'approved'))
      items.push({ label: '$(play) Activate Approved Grant', command: 'strongroom.activateGrant' });
    items.push({ label: '$(add) Request Elevated Access…', command: 'strongroom.requestAccess' });
    if (state.toApprove.length > 0)
      items.push({
        label: `$(person) Review Access Requests (${state.toApprove.length})`,
        command: 'strongroom.reviewRequests',
      });
    items.push({ label: '$(list-unordered) Show My Access', command: 'strongroom.showAccess' });
    items.push({ label: '$(shield) Check Device Posture', command: 'strongroom.checkPosture' });
    items.push({ label: '$(sign-out) Sign Out', command: 'strongroom.signOut' });
  }
  const picked = await deps.vscode.window.showQuickPick(items, { title: 'Strongroom' });
  if (picked !== undefined) await deps.vscode.commands.executeCommand(picked.command);
}
