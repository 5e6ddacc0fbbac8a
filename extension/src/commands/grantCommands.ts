import { formatTimeLeft } from '@strongroom/shared/access/formatTimeLeft.js';
import type { AgentGrant } from '@strongroom/shared/agent/AgentState.js';
import type { Deps } from '../Deps.js';
import { MANAGE_TRUST_COMMAND, UNTRUSTED_TERMINAL_MESSAGE, workspaceTrusted } from '../ElevatedTerminals.js';

/** A tree item or notification passes the grant id; the palette asks. */
async function pickGrant(
  deps: Deps,
  state: AgentGrant['state'],
  grantId: unknown,
  title: string,
): Promise<AgentGrant | undefined> {
  const access = await deps.access();
  const grants = access.state.get().grants.filter((g) => g.state === state);
  if (typeof grantId === 'string') return grants.find((g) => g.id === grantId);
  if (grants.length === 0) {
    void deps.vscode.window.showInformationMessage(
      state === 'approved'
        ? 'Strongroom: no approved grant is waiting to be activated.'
        : 'Strongroom: no elevation is active.',
    );
    return undefined;
  }
  if (grants.length === 1) return grants[0];
  const now = deps.now();
  const picked = await deps.vscode.window.showQuickPick(
    grants.map((g) => ({
      label: g.target.id,
      description:
        g.state === 'active'
          ? `${formatTimeLeft((g.expiresAt ?? now) - now)} left`
          : `${g.durationMinutes} min, activate within ${formatTimeLeft(g.activateBy - now)}`,
      grant: g,
    })),
    { title },
  );
  return picked?.grant;
}

/** The tree passes its item; commands take the id from it. */
function idOf(arg: unknown): unknown {
  if (typeof arg === 'object' && arg !== null && 'grantId' in arg)
    return (arg as { grantId: unknown }).grantId;
  return arg;
}

export async function activateGrant(deps: Deps, arg?: unknown): Promise<void> {
  const grant = await pickGrant(deps, 'approved', idOf(arg), 'Activate which grant? Its clock starts now.');
  if (grant === undefined) return;
  const access = await deps.access();
  const { grant: active } = await access.call('grants.activate', { grantId: grant.id });
  const left = formatTimeLeft((active.expiresAt ?? deps.now()) - deps.now());
  // No terminal button in an untrusted workspace: the command would refuse anyway.
  const choice = await deps.vscode.window.showInformationMessage(
    `Strongroom: ${grant.target.id} is active for ${left}.`,
    ...(workspaceTrusted(deps.vscode) ? ['Open Elevated Terminal'] : []),
  );
  if (choice === 'Open Elevated Terminal')
    await deps.vscode.commands.executeCommand('strongroom.openElevatedTerminal', active.id);
}

export async function dropElevation(deps: Deps, arg?: unknown): Promise<void> {
  const grant = await pickGrant(deps, 'active', idOf(arg), 'Drop which elevation?');
  if (grant === undefined) return;
  const confirm = await deps.vscode.window.showWarningMessage(
    `Drop ${grant.target.id} now? Credentials issued under it stop working at once.`,
    { modal: true },
    'Drop',
  );
  if (confirm !== 'Drop') return;
  const access = await deps.access();
  await access.call('grants.drop', { grantId: grant.id });
  deps.terminals.onState(access.state.get());
  void deps.vscode.window.showInformationMessage(`Strongroom: ${grant.target.id} dropped.`);
}

/**
 * Refuses in an untrusted workspace before anything else, however it was reached (palette, tree,
 * a notification's button, another extension's `executeCommand`): `enablement` in the manifest
 * does not stop `executeCommand`. ElevatedTerminals.open checks again.
 */
export async function openElevatedTerminal(deps: Deps, arg?: unknown): Promise<void> {
  if (!workspaceTrusted(deps.vscode)) {
    deps.log('warn', `refused to open an elevated terminal: the workspace is not trusted`);
    const choice = await deps.vscode.window.showWarningMessage(
      UNTRUSTED_TERMINAL_MESSAGE,
      'Manage Workspace Trust',
    );
    if (choice === 'Manage Workspace Trust') await deps.vscode.commands.executeCommand(MANAGE_TRUST_COMMAND);
    return;
  }
  const grant = await pickGrant(deps, 'active', idOf(arg), 'Open a terminal for which elevation?');
  if (grant === undefined) return;
  await deps.terminals.open(await deps.access(), grant);
}

/** Show My Access: everything at a glance, and the obvious next step for each item. */
export async function showAccess(deps: Deps): Promise<void> {
  const access = await deps.access();
  const state = access.state.get();
  if (state.session.status === 'signedOut') {
    const choice = await deps.vscode.window.showInformationMessage('Strongroom: not signed in.', 'Sign In');
    if (choice === 'Sign In') await deps.vscode.commands.executeCommand('strongroom.signIn');
    return;
  }
  const now = deps.now();
  const trusted = workspaceTrusted(deps.vscode);
  const { requests } = await access.call('requests.list', { status: 'pending' });
  type Item = { label: string; description?: string; command?: string; args?: unknown[] };
  const items: Item[] = [
    ...state.grants.map((g): Item =>
      g.state === 'active'
        ? trusted
          ? {
              label: `$(shield) ${g.target.id}`,
              description: `${g.tier} · ${formatTimeLeft((g.expiresAt ?? now) - now)} left — open a terminal`,
              command: 'strongroom.openElevatedTerminal',
              args: [g.id],
            }
          : {
              // Untrusted workspace: no terminal offered; dropping is the one action.
              label: `$(shield) ${g.target.id}`,
              description: `${g.tier} · ${formatTimeLeft((g.expiresAt ?? now) - now)} left — drop it (terminals need a trusted workspace)`,
              command: 'strongroom.dropElevation',
              args: [g.id],
            }
        : {
            label: `$(unlock) ${g.target.id}`,
            description: `approved · activate within ${formatTimeLeft(g.activateBy - now)} — activate now`,
            command: 'strongroom.activateGrant',
            args: [g.id],
          },
    ),
    ...requests.map((r): Item => ({
      label: `$(clock) ${r.target.id}`,
      description: `pending · ${r.approvals.length}/${r.approvalsRequired} approvals · ${r.durationMinutes} min`,
    })),
    { label: '$(add) Request Elevated Access…', command: 'strongroom.requestAccess' },
  ];
  const picked = await deps.vscode.window.showQuickPick(items, { title: 'My access' });
  if (picked?.command !== undefined)
    await deps.vscode.commands.executeCommand(picked.command, ...(picked.args ?? []));
}
