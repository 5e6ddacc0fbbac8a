import type { AccessPort } from '@strongroom/shared/access/AccessPort.js';
import { formatTimeLeft } from '@strongroom/shared/access/formatTimeLeft.js';
import type { AgentState } from '@strongroom/shared/agent/AgentState.js';
import type { VscodeApi, vscode } from './VscodeApi.js';

/** One row of a Strongroom view. `grantId`/`requestId` let inline actions know their subject. */
export interface Row {
  readonly label: string;
  readonly description?: string;
  readonly tooltip?: string;
  readonly icon: string;
  readonly contextValue?: string;
  readonly grantId?: string;
  readonly requestId?: string;
}

const ORDER = { fail: 0, unknown: 1, pass: 2 } as const;
/** Codicons of a posture check's result. */
export const CHECK_ICON = { pass: 'pass', fail: 'error', unknown: 'question' } as const;

export type ViewId =
  'strongroom.grants' | 'strongroom.requests' | 'strongroom.toReview' | 'strongroom.posture';

/** Rows of each view from the agent's state and the clock (My Requests asks the broker). */
export async function rowsFor(view: ViewId, access: AccessPort | undefined, now: number): Promise<Row[]> {
  if (access === undefined) return [];
  const state: AgentState = access.state.get();
  if (state.session.status === 'signedOut') return [];
  switch (view) {
    case 'strongroom.grants':
      return state.grants.map((g) =>
        g.state === 'active'
          ? {
              label: g.target.id,
              description: `${formatTimeLeft((g.expiresAt ?? now) - now)} left`,
              tooltip: `${g.tier} · ends ${new Date(g.expiresAt ?? now).toLocaleTimeString()}`,
              icon: 'shield',
              contextValue: 'grant.active',
              grantId: g.id,
            }
          : {
              label: g.target.id,
              description: `approved · activate within ${formatTimeLeft(g.activateBy - now)}`,
              tooltip: `${g.tier} · ${g.durationMinutes} min once activated`,
              icon: 'unlock',
              contextValue: 'grant.approved',
              grantId: g.id,
            },
      );
    case 'strongroom.requests': {
      const { requests } = await access.call('requests.list', undefined);
      return requests.slice(0, 50).map((r) => ({
        label: r.target.id,
        description: `${r.status}${r.status === 'pending' ? ` · ${r.approvals.length}/${r.approvalsRequired}` : ''}`,
        tooltip: `${r.durationMinutes} min · "${r.reason}"${r.denyReason ? ` · denied: ${r.denyReason}` : ''}`,
        icon: r.status === 'pending' ? 'clock' : r.status === 'approved' ? 'check' : 'circle-slash',
        requestId: r.id,
      }));
    }
    case 'strongroom.toReview':
      return state.toApprove.map((r) => ({
        label: `${r.requesterEmail ?? r.requesterId} → ${r.target.id}`,
        description: `${r.durationMinutes} min · ${r.approvals.length}/${r.approvalsRequired}`,
        tooltip: r.reason,
        icon: 'person',
        contextValue: 'review',
        requestId: r.id,
      }));
    case 'strongroom.posture': {
      const p = state.posture;
      if (p.checkedAt === null)
        return [{ label: 'Not checked yet', description: 'run Check Device Posture', icon: 'question' }];
      const head: Row = {
        label:
          p.status === 'pass'
            ? 'All checks pass'
            : p.status === 'fail'
              ? 'Posture failing'
              : 'Some checks unknown',
        description: new Date(p.checkedAt).toLocaleTimeString(),
        icon: p.status === 'pass' ? 'pass' : p.status === 'fail' ? 'error' : 'question',
      };
      // Every check (an older agent sends only the ones not passing): failures first, then the
      // unknown, then the passes, each with what was seen and its fix.
      const checks = [...(p.checks ?? p.failing)].sort((a, b) => ORDER[a.status] - ORDER[b.status]);
      return [
        head,
        ...checks.map((c): Row => ({
          label: c.title,
          description: c.status === 'pass' ? c.observed : `${c.status} · ${c.observed}`,
          tooltip: c.status === 'pass' ? c.observed : `${c.observed}\nFix: ${c.fix}`,
          icon: CHECK_ICON[c.status],
          contextValue: `posture.${c.status}`,
        })),
      ];
    }
  }
}

/** A VS Code tree over `rowsFor`; `refresh()` redraws (state change, countdown tick). */
export class AccessTree implements vscode.TreeDataProvider<Row> {
  readonly #changed: vscode.EventEmitter<void>;
  readonly onDidChangeTreeData: vscode.Event<void>;

  constructor(
    private readonly vscodeApi: VscodeApi,
    private readonly view: ViewId,
    private readonly access: () => AccessPort | undefined,
    private readonly now: () => number,
  ) {
    this.#changed = new vscodeApi.EventEmitter<void>();
    this.onDidChangeTreeData = this.#changed.event;
  }

  refresh(): void {
    this.#changed.fire();
  }

  getTreeItem(row: Row): vscode.TreeItem {
    const item = new this.vscodeApi.TreeItem(row.label, this.vscodeApi.TreeItemCollapsibleState.None);
    item.description = row.description;
    item.tooltip = row.tooltip;
    item.iconPath = new this.vscodeApi.ThemeIcon(row.icon);
    item.contextValue = row.contextValue;
    if (row.contextValue === 'grant.approved')
      item.command = { command: 'strongroom.activateGrant', title: 'Activate', arguments: [row.grantId] };
    if (row.contextValue === 'review')
      item.command = { command: 'strongroom.reviewRequests', title: 'Review', arguments: [row.requestId] };
    return item;
  }

  getChildren(row?: Row): Promise<Row[]> {
    return row === undefined ? rowsFor(this.view, this.access(), this.now()) : Promise.resolve([]);
  }
}
