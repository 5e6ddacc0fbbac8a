import type { AccessPort, TerminalGrant } from '@strongroom/shared/access/AccessPort.js';
import { terminalEnvironment } from '@strongroom/shared/access/terminalEnvironment.js';
import type { AgentGrant, AgentState } from '@strongroom/shared/agent/AgentState.js';
import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import type { VscodeApi, vscode } from './VscodeApi.js';

/** Why an untrusted workspace gets no elevated terminal (shown to the user, logged). */
export const UNTRUSTED_TERMINAL_MESSAGE =
  'Strongroom: Open Elevated Terminal needs a trusted workspace. In an untrusted folder, its tasks, ' +
  'settings and scripts could run in a shell next to your elevated credentials.';

/** VS Code's own command for the trust editor (the button next to the refusal). */
export const MANAGE_TRUST_COMMAND = 'workbench.trust.manage';

/** `workspace.isTrusted`; a VS Code without workspace trust (or a fake without it) counts as untrusted. */
export function workspaceTrusted(vscodeApi: Pick<VscodeApi, 'workspace'>): boolean {
  return vscodeApi.workspace.isTrusted === true;
}

interface Open {
  readonly terminal: vscode.Terminal;
  readonly created: TerminalGrant;
  readonly grantId: string;
}

function clock(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/**
 * One terminal per grant (issue 7, item 6), named after the role and its end time. Its environment
 * is the agent's per-terminal pointers (checked by terminalEnvironment: no credential ever goes
 * in). Its token is revoked when the terminal closes and when the grant ends, whichever is first.
 */
export class ElevatedTerminals {
  readonly #open = new Map<vscode.Terminal, Open>();
  readonly #vscode: VscodeApi;
  readonly #log: (message: string) => void;

  constructor(vscodeApi: VscodeApi, log: (message: string) => void) {
    this.#vscode = vscodeApi;
    this.#log = log;
  }

  /** Closing a terminal revokes its token at once. */
  listen(): vscode.Disposable {
    return this.#vscode.window.onDidCloseTerminal((terminal) => {
      const open = this.#open.get(terminal);
      if (open !== undefined) void this.#revoke(open);
    });
  }

  /**
   * Opens (or shows) the grant's terminal. Refuses in an untrusted workspace whoever calls it: the
   * manifest's `enablement` only greys out the palette entry, `executeCommand` ignores it.
   */
  async open(access: AccessPort, grant: AgentGrant): Promise<vscode.Terminal> {
    if (!workspaceTrusted(this.#vscode))
      throw new StrongroomError('denied', UNTRUSTED_TERMINAL_MESSAGE, {
        hint: 'Trust the workspace (Workspaces: Manage Workspace Trust) and try again.',
      });
    const existing = [...this.#open.values()].find((o) => o.grantId === grant.id);
    if (existing !== undefined) {
      existing.terminal.show();
      return existing.terminal;
    }
    const name = `${grant.target.id} until ${clock(grant.expiresAt ?? 0)}`;
    const created = await access.openTerminal(grant, `VS Code: ${name}`.slice(0, 100));
    let env: Record<string, string>;
    try {
      env = terminalEnvironment(created.env);
    } catch (error) {
      await created.dispose().catch(() => undefined);
      throw error;
    }
    const terminal = this.#vscode.window.createTerminal({
      name,
      env,
      iconPath: new this.#vscode.ThemeIcon('shield'),
      color: new this.#vscode.ThemeColor('terminal.ansiYellow'),
      // Never restored after a reload: its token dies with it, and its env must not be persisted.
      isTransient: true,
    });
    this.#open.set(terminal, { terminal, created, grantId: grant.id });
    terminal.show();
    this.#log(
      `opened elevated terminal for ${grant.target.id} (grant ${grant.id}): ${created.notes.join('; ')}`,
    );
    return terminal;
  }

  /** On every state change: a terminal whose grant is no longer active loses its token. */
  onState(state: AgentState): void {
    const active = new Set(state.grants.filter((g) => g.state === 'active').map((g) => g.id));
    for (const open of [...this.#open.values()]) if (!active.has(open.grantId)) void this.#revoke(open);
  }

  /** Sign-out: every token goes. */
  async revokeAll(): Promise<void> {
    await Promise.all([...this.#open.values()].map((o) => this.#revoke(o)));
  }

  get size(): number {
    return this.#open.size;
  }

  async #revoke(open: Open): Promise<void> {
    if (!this.#open.delete(open.terminal)) return;
    try {
      await open.created.dispose();
      this.#log(`revoked the token of the terminal for grant ${open.grantId}`);
    } catch (error) {
      this.#log(
        `revoking a terminal token failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
