import type { Deps } from '../Deps.js';

const ICON = { pass: '$(pass)', fail: '$(error)', unknown: '$(question)' } as const;

/** Check Device Posture: runs every check, attests when signed in, and lists each with its fix. */
export async function checkPosture(deps: Deps): Promise<void> {
  const { vscode } = deps;
  const access = await deps.access();
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Strongroom: checking device posture…' },
    () => access.call('posture', { refresh: true }),
  );
  const { posture, report } = result;
  // Every check, failures first (an older agent's state lists only the failing: then the report).
  const checks = posture.checks ?? report?.checks ?? posture.failing;
  const summary =
    posture.status === 'pass'
      ? 'Device posture: every check passed.'
      : posture.status === 'fail'
        ? `Device posture failing: ${posture.failing.filter((c) => c.status === 'fail').length} check(s) to fix.`
        : 'Device posture: some checks could not be read.';
  const attested =
    posture.attestation !== null
      ? ` The broker says this device is ${posture.attestation.compliant ? 'compliant' : 'NOT compliant'}.`
      : posture.attestationError !== null
        ? ` Not attested: ${posture.attestationError}.`
        : '';
  void vscode.window.showQuickPick(
    checks.map((c) => ({
      label: `${ICON[c.status]} ${c.title}`,
      description: c.observed,
      detail: c.status === 'pass' ? undefined : `Fix: ${c.fix}`,
    })),
    { title: summary + attested, canPickMany: false },
  );
}
