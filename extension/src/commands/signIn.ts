import type { Deps } from '../Deps.js';

export async function signIn(deps: Deps): Promise<void> {
  const access = await deps.access();
  const { vscode } = deps;
  await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: 'Strongroom: sign in with your security key in the browser window…',
      cancellable: false,
    },
    () => access.signIn(),
  );
  const session = access.state.get().session;
  if (session.status === 'signedIn')
    void vscode.window.showInformationMessage(
      `Strongroom: signed in as ${session.user.email ?? session.user.subject}.`,
    );
}

export async function signOut(deps: Deps): Promise<void> {
  const access = await deps.access();
  // Terminal tokens first: nothing elevated may outlive the session on this machine.
  await deps.terminals.revokeAll();
  await access.signOut();
  void deps.vscode.window.showInformationMessage('Strongroom: signed out; local credentials deleted.');
}
