import type { CliPeople } from './cliPeople.js';

/** Parses a CLI run's `--json` output; a failed run throws with its stderr. */
function parsed<T>(run: { code: number | null; stdout: string; stderr: string }): T {
  if (run.code !== 0) throw new Error(`strongroom exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

/**
 * The JIT loop through the real CLI: `requester` asks for `role` for `duration` with `reason`,
 * `approver` approves with a key touch, `requester` activates. Returns the active grant's id.
 */
export async function activeGrantViaCli(
  people: CliPeople,
  ask: { requester: string; approver: string; role: string; duration: string; reason: string },
): Promise<string> {
  const created = parsed<{ request: { id: string } }>(
    await people.run(ask.requester, [
      'request',
      ask.role,
      '--for',
      ask.duration,
      '--reason',
      ask.reason,
      '--json',
    ]),
  );
  parsed(await people.run(ask.approver, ['approve', created.request.id, '--json']));
  const grants = parsed<{ grants: Array<{ id: string; requestId: string }> }>(
    await people.run(ask.requester, ['grants', '--json']),
  );
  const grantId = grants.grants.find((g) => g.requestId === created.request.id)?.id ?? '';
  parsed(await people.run(ask.requester, ['activate', grantId, '--json']));
  return grantId;
}
