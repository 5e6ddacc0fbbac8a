import { targetsResponseSchema } from '@strongroom/shared/protocol/jitApi.js';
import type { GlobalOptions } from '../cliContext.js';
import { EXIT } from '../exitCodes.js';
import { jitCall, printJson } from '../jitCall.js';

/** `strongroom targets`: what you may request, for how long at most, approved by how many. */
export async function targets(global: GlobalOptions, options: { json?: boolean }): Promise<number> {
  const { data } = await jitCall(global, 'GET', '/api/v1/targets', targetsResponseSchema);
  if (options.json === true) {
    printJson(data);
    return EXIT.ok;
  }
  if (data.targets.length === 0) {
    process.stdout.write('Nothing you may request.\n');
    return EXIT.ok;
  }
  for (const t of data.targets) {
    const who = t.emergency ? 'break-glass (self-activated, audited)' : `${t.approvalsRequired} approver(s)`;
    process.stdout.write(
      `${t.type === 'Role' ? t.id : `${t.type}:${t.id}`}  ${t.tier}  max ${t.maxDurationMinutes} min  ${who}${t.description ? `  ${t.description}` : ''}\n`,
    );
  }
  return EXIT.ok;
}
