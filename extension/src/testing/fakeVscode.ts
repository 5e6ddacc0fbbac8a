import type { VscodeApi, vscode } from '../VscodeApi.js';

/**
 * A fake of exactly the `vscode` surface the extension uses (VscodeApi), for unit tests of the
 * adapter: it records what the extension shows and answers prompts from a script. Only this edge
 * is faked; the adapter code under test is the shipped code.
 */
export interface Shown {
  readonly kind: 'info' | 'warning' | 'error';
  readonly message: string;
  readonly options: unknown[];
}

type Answer = string | undefined | ((items: readonly { label: string }[]) => unknown);

export interface FakeVscode {
  readonly api: VscodeApi;
  readonly shown: Shown[];
  readonly commands: Map<string, (...args: unknown[]) => unknown>;
  readonly executed: Array<{ id: string; args: unknown[] }>;
  readonly statusItems: Array<{ text: string; tooltip: unknown; backgroundColor: unknown; command: unknown }>;
  readonly terminals: Array<{ options: vscode.TerminalOptions; disposed: boolean }>;
  readonly opened: string[];
  /** The registered views' tree providers, by view id. */
  readonly trees: Map<string, vscode.TreeDataProvider<unknown>>;
  readonly logged: string[];
  /** Answers for quick picks, input boxes and message buttons, in order. */
  readonly answers: Answer[];
  readonly inputValidations: Array<{ prompt: string | undefined; validate: (v: string) => unknown }>;
  readonly settings: Record<
    string,
    { globalValue?: unknown; workspaceValue?: unknown; defaultValue?: unknown }
  >;
  closeTerminal(index: number): void;
  /** `workspace.isTrusted` (true unless a test says otherwise). */
  trusted: boolean;
}

class EventEmitter<T> {
  readonly listeners = new Set<(e: T) => void>();
  readonly event = (listener: (e: T) => void): { dispose(): void } => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(e: T): void {
    for (const l of this.listeners) l(e);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

class ThemeIcon {
  constructor(readonly id: string) {}
}
class ThemeColor {
  constructor(readonly id: string) {}
}
class TreeItem {
  description?: string;
  tooltip?: string;
  iconPath?: unknown;
  contextValue?: string;
  command?: unknown;
  constructor(
    readonly label: string,
    readonly collapsibleState: number,
  ) {}
}

export function fakeVscode(): FakeVscode {
  const shown: Shown[] = [];
  const commands = new Map<string, (...args: unknown[]) => unknown>();
  const executed: FakeVscode['executed'] = [];
  const statusItems: FakeVscode['statusItems'] = [];
  const terminals: FakeVscode['terminals'] = [];
  const opened: string[] = [];
  const logged: string[] = [];
  const answers: Answer[] = [];
  const inputValidations: FakeVscode['inputValidations'] = [];
  const settings: FakeVscode['settings'] = {};
  const trees = new Map<string, vscode.TreeDataProvider<unknown>>();
  const closed = new EventEmitter<unknown>();
  const terminalObjects: unknown[] = [];

  const next = (items: readonly { label: string }[] = []): unknown => {
    if (answers.length === 0) return undefined;
    const a = answers.shift();
    return typeof a === 'function' ? a(items) : a;
  };
  const message =
    (kind: Shown['kind']) =>
    (text: string, ...rest: unknown[]): Promise<unknown> => {
      shown.push({ kind, message: text, options: rest });
      const buttons = rest.filter((r): r is string => typeof r === 'string');
      if (buttons.length === 0) return Promise.resolve(undefined);
      return Promise.resolve(next(buttons.map((label) => ({ label }))));
    };
  const channel = (level: string) => (m: string) => logged.push(`${level}: ${m}`);

  const window = {
    showInformationMessage: message('info'),
    showWarningMessage: message('warning'),
    showErrorMessage: message('error'),
    showQuickPick: async (items: unknown) => {
      const list = (await items) as Array<{ label: string }>;
      const a = next(list);
      return typeof a === 'string' ? list.find((i) => i.label === a) : a;
    },
    showInputBox: async (options: {
      prompt?: string;
      value?: string;
      validateInput?: (v: string) => unknown;
    }) => {
      if (options.validateInput)
        inputValidations.push({ prompt: options.prompt, validate: options.validateInput });
      const a = next();
      if (typeof a === 'string' && options.validateInput) {
        const problem = await options.validateInput(a);
        if (problem !== undefined && problem !== null) throw new Error(`input refused: ${String(problem)}`);
      }
      return a;
    },
    withProgress: async (
      _o: unknown,
      task: (p: unknown, t: { isCancellationRequested: boolean }) => unknown,
    ) => task({ report: () => undefined }, { isCancellationRequested: false }),
    createStatusBarItem: () => {
      const item = {
        text: '',
        tooltip: undefined as unknown,
        backgroundColor: undefined as unknown,
        command: undefined as unknown,
        name: '',
        show: () => undefined,
        dispose: () => undefined,
      };
      statusItems.push(item);
      return item;
    },
    createOutputChannel: () => ({
      info: channel('info'),
      warn: channel('warn'),
      error: channel('error'),
      debug: channel('debug'),
      trace: channel('trace'),
      appendLine: channel('line'),
      dispose: () => undefined,
    }),
    registerTreeDataProvider: (view: string, provider: vscode.TreeDataProvider<unknown>) => {
      trees.set(view, provider);
      return { dispose: () => trees.delete(view) };
    },
    createTerminal: (options: vscode.TerminalOptions) => {
      const record = { options, disposed: false };
      terminals.push(record);
      const terminal = { name: options.name, show: () => undefined, dispose: () => (record.disposed = true) };
      terminalObjects.push(terminal);
      return terminal;
    },
    onDidCloseTerminal: closed.event,
  };

  const api = {
    window,
    commands: {
      registerCommand: (id: string, run: (...args: unknown[]) => unknown) => {
        commands.set(id, run);
        return { dispose: () => commands.delete(id) };
      },
      executeCommand: async (id: string, ...args: unknown[]) => {
        executed.push({ id, args });
        return commands.get(id)?.(...args);
      },
    },
    env: {
      openExternal: async (uri: { toString(): string }) => {
        opened.push(uri.toString());
        return true;
      },
    },
    workspace: {
      get isTrusted() {
        return fake.trusted;
      },
      getConfiguration: () => ({
        get: (key: string, fallback: unknown) =>
          settings[key]?.globalValue ?? settings[key]?.workspaceValue ?? fallback,
        inspect: (key: string) => settings[key] ?? { defaultValue: undefined },
      }),
      onDidChangeConfiguration: () => ({ dispose: () => undefined }),
    },
    Uri: { parse: (value: string) => ({ toString: () => value }) },
    StatusBarAlignment: { Left: 1, Right: 2 },
    ThemeColor,
    ThemeIcon,
    TreeItem,
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    EventEmitter,
    MarkdownString: class {
      constructor(readonly value = '') {}
    },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    QuickPickItemKind: { Separator: -1, Default: 0 },
  };

  const fake: FakeVscode = {
    // The fake implements the members the extension calls; the cast is the edge of the test.
    api: api as unknown as VscodeApi,
    shown,
    commands,
    executed,
    statusItems,
    terminals,
    opened,
    trees,
    logged,
    answers,
    inputValidations,
    settings,
    closeTerminal: (index) => closed.fire(terminalObjects[index]),
    trusted: true,
  };
  return fake;
}
