import type { AccessRequestView } from '@strongroom/shared/protocol/jitApi.js';
import type { Deps } from '../Deps.js';

function idOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (typeof arg === 'object' && arg !== null && 'requestId' in arg) {
    const id = (arg as { requestId: unknown }).requestId;
    return typeof id === 'string' ? id : undefined;
  }
  return undefined;
}

/**
 * Review Access Requests (approvers): pick a request, then approve or deny. Approving needs a
 * fresh key touch bound to that request, which happens on the broker's approval page in the
 * system browser (the broker issues a one-time link for this signed-in approver); the extension
 * never sees the assertion. Self-approval and non-approvers are refused by the broker, with reasons.
 */
export async function reviewRequests(deps: Deps, arg?: unknown): Promise<void> {
  const { vscode } = deps;
  const access = await deps.access();
  const { requests } = await access.call('requests.list', { toReview: true });
  const wanted = idOf(arg);
  let request: AccessRequestView | undefined = requests.find((r) => r.id === wanted);
  if (request === undefined) {
    if (requests.length === 0) {
      void vscode.window.showInformationMessage('Strongroom: nothing waits for your review.');
      return;
    }
    const picked = await vscode.window.showQuickPick(
      requests.map((r) => ({
        label: `${r.requesterEmail ?? r.requesterId} → ${r.target.id}`,
        description: `${r.tier} · ${r.durationMinutes} min · ${r.approvals.length}/${r.approvalsRequired} approvals${r.ticket ? ` · ${r.ticket}` : ''}`,
        detail: r.reason,
        request: r,
      })),
      { title: 'Review access requests', matchOnDetail: true },
    );
    if (picked === undefined) return;
    request = picked.request;
  }
  const r = request;
  const action = await vscode.window.showQuickPick(
    [
      { label: '$(key) Approve…', description: 'touch your security key in the browser', id: 'approve' },
      { label: '$(close) Deny…', description: 'with a reason the requester sees', id: 'deny' },
    ],
    { title: `${r.requesterEmail ?? r.requesterId} asks for ${r.target.id}: "${r.reason}"` },
  );
  if (action === undefined) return;
  if (action.id === 'deny') {
    const reason = await vscode.window.showInputBox({
      title: `Deny ${r.target.id} for ${r.requesterEmail ?? r.requesterId}`,
      prompt: 'Why? The requester sees this.',
      validateInput: (text) => (text.trim() === '' ? 'Give a reason.' : undefined),
    });
    if (reason === undefined) return;
    await access.deny(r.id, reason.trim());
    void vscode.window.showInformationMessage(`Strongroom: request ${r.id} denied.`);
    return;
  }
  const link = await access.approvalLink(r.id);
  await vscode.env.openExternal(vscode.Uri.parse(link.url, true));
  const approved = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Strongroom: touch your security key in the browser to approve ${r.target.id}…`,
      cancellable: true,
    },
    async (_progress, token) => {
      const deadline = Math.min(link.expiresAt, deps.now() + 10 * 60_000);
      while (!token.isCancellationRequested && deps.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 1500));
        const { requests: still } = await access.call('requests.list', { toReview: true });
        if (!still.some((x) => x.id === r.id)) return true;
      }
      return false;
    },
  );
  if (approved)
    void vscode.window.showInformationMessage(`Strongroom: your approval of ${r.target.id} was recorded.`);
}
