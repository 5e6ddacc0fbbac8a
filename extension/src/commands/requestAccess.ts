import {
  buildAccessRequest,
  checkDuration,
  checkReason,
  checkTicket,
  describeDryRun,
  describeTarget,
  formatMinutes,
} from '@strongroom/shared/access/requestForm.js';
import type { TargetView } from '@strongroom/shared/protocol/jitApi.js';
import type { Deps } from '../Deps.js';

/** From an "Extend" action: the same target, the same duration, a new request. */
export interface RequestPrefill {
  readonly target: { readonly type: string; readonly id: string };
  readonly durationMinutes: number;
}

/**
 * Request Elevated Access…: pick an eligible target (tier, maximum duration, approvals needed),
 * then duration, reason and optional ticket, each checked as typed against the bundle's rules;
 * the broker's dry run is shown before anything is submitted, and a denial shows its reasons.
 */
export async function requestAccess(deps: Deps, prefill?: RequestPrefill): Promise<void> {
  const { vscode } = deps;
  const access = await deps.access();
  const { targets, requestRules } = await access.targets();
  if (targets.length === 0) {
    void vscode.window.showInformationMessage(
      'Strongroom: there is nothing you may request. Ask an administrator to make you eligible.',
    );
    return;
  }
  const preselected =
    prefill === undefined
      ? undefined
      : targets.find((t) => t.type === prefill.target.type && t.id === prefill.target.id);
  let target: TargetView | undefined = preselected;
  if (target === undefined) {
    const picked = await vscode.window.showQuickPick(
      targets.map((t) => ({ ...describeTarget(t), target: t })),
      {
        title: 'Request elevated access (1/4): target',
        placeHolder: 'What do you need? Tier, maximum duration and approvals are shown.',
        matchOnDescription: true,
        matchOnDetail: true,
        ignoreFocusOut: true,
      },
    );
    if (picked === undefined) return;
    target = picked.target;
  }
  const chosen = target;
  const suggested = Math.min(prefill?.durationMinutes ?? 60, chosen.maxDurationMinutes);
  const duration = await vscode.window.showInputBox({
    title: `Request ${chosen.id} (2/4): duration`,
    prompt: `How long? At most ${formatMinutes(chosen.maxDurationMinutes)} (examples: 30m, 1h, 1h30m).`,
    value: `${suggested}m`,
    ignoreFocusOut: true,
    validateInput: (text) => checkDuration(text, chosen),
  });
  if (duration === undefined) return;
  const reason = await vscode.window.showInputBox({
    title: `Request ${chosen.id} (3/4): reason`,
    prompt: `Why do you need it? Approvers read this (at least ${requestRules.minReasonLength} characters).`,
    ignoreFocusOut: true,
    validateInput: (text) => checkReason(text, requestRules),
  });
  if (reason === undefined) return;
  const ticket = await vscode.window.showInputBox({
    title: `Request ${chosen.id} (4/4): ticket (optional)`,
    prompt:
      requestRules.ticketPattern === undefined
        ? 'A ticket reference, or leave empty.'
        : `A ticket reference matching ${requestRules.ticketPattern}, or leave empty.`,
    ignoreFocusOut: true,
    validateInput: (text) => checkTicket(text, requestRules),
  });
  if (ticket === undefined) return;

  const body = buildAccessRequest(chosen, requestRules, { duration, reason, ticket });
  const answer = await access.call('requests.dryRun', body);
  if (!answer.allowed) {
    const choice = await vscode.window.showErrorMessage(
      describeDryRun(answer, chosen),
      { modal: true, detail: answer.reasons.map((r) => `• ${r}`).join('\n') },
      ...(answer.reasons.some((r) => /posture|device/i.test(r)) ? ['Check Device Posture'] : []),
    );
    if (choice === 'Check Device Posture') await vscode.commands.executeCommand('strongroom.checkPosture');
    return;
  }
  const confirm = await vscode.window.showInformationMessage(
    describeDryRun(answer, chosen),
    {
      modal: true,
      detail: `${formatMinutes(body.durationMinutes)} · "${body.reason}"${body.ticket ? ` · ${body.ticket}` : ''}`,
    },
    'Submit Request',
  );
  if (confirm !== 'Submit Request') return;
  const created = await access.call('requests.create', body);
  if (created.grant !== null) {
    void vscode.window.showWarningMessage(
      `Strongroom: break-glass grant for ${chosen.id} is active (alerted; it will be reviewed).`,
    );
    return;
  }
  void vscode.window.showInformationMessage(
    `Strongroom: request for ${chosen.id} sent; it needs ${created.request.approvalsRequired} approval(s). You will be told when it is approved.`,
  );
}
