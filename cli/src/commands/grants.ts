import { grantsResponseSchema, grantViewSchema, type GrantView } from '@strongroom/shared/protocol/jitApi.js';
import { removeGrantCertificatesFromSshAgent } from '@strongroom/shared/credentials/ssh/removeGrantCertificatesFromSshAgent.js';
import { wipeGrantCredentials } from '@strongroom/shared/vault/grantCredentialEntries.js';
import { z } from 'zod';
import type { GlobalOptions } from '../cliContext.js';
import { EXIT } from '../exitCodes.js';
import { jitCall, printJson } from '../jitCall.js';

function describe(g: GrantView, now: number): string {
  if (g.state === 'active')
    return `active, ${Math.max(0, Math.ceil(((g.expiresAt ?? now) - now) / 60_000))} min left`;
  if (g.state === 'approved')
    return `approved, activate within ${Math.max(0, Math.ceil((g.activateBy - now) / 60_000))} min`;
  return `ended (${g.endReason ?? 'ended'})`;
}

/**
 * What a Role grant covers, as the broker says (`covers`: the catalog assets you get credentials
 * for under it), e.g. `covers HostGroup gpu-a100, Service ml-git`. Nothing for a grant naming one
 * asset (it covers that), for an ended grant or from a broker that does not say.
 */
export function coversLine(g: Pick<GrantView, 'target' | 'covers'>): string | undefined {
  if (g.covers === undefined || g.target.type !== 'Role') return undefined;
  if (g.covers.length === 0) return 'covers no asset you get credentials for';
  return `covers ${g.covers.map((a) => `${a.type} ${a.id}`).join(', ')}`;
}

/** `strongroom grants`: your grants and their state, computed by the broker from stored times. */
export async function grants(global: GlobalOptions, options: { json?: boolean }): Promise<number> {
  const { data, context } = await jitCall(global, 'GET', '/api/v1/grants', grantsResponseSchema);
  if (options.json === true) {
    printJson(data);
    return EXIT.ok;
  }
  if (data.grants.length === 0) process.stdout.write('No grants.\n');
  const now = context.host.now();
  for (const g of data.grants) {
    process.stdout.write(`${g.id}  ${g.target.id}  ${describe(g, now)}\n`);
    const covered = coversLine(g);
    if (covered !== undefined) process.stdout.write(`    ${covered}\n`);
  }
  return EXIT.ok;
}

/** `strongroom activate <id>` (the clock starts now) and `strongroom drop <id>` (ends it at once). */
export async function changeGrant(
  global: GlobalOptions,
  id: string,
  how: 'activate' | 'drop',
  options: { json?: boolean },
): Promise<number> {
  const { data, context } = await jitCall(
    global,
    'POST',
    `/api/v1/grants/${encodeURIComponent(id)}/${how}`,
    z.object({ grant: grantViewSchema }),
  );
  // What this device cached under the grant (AWS keys, …) goes with it (issue 6: cache wipes on clients).
  if (how === 'drop') {
    await wipeGrantCredentials(context.store, context.profile.name, id);
    // Its SSH certificates leave this shell's ssh-agent now (hosts refuse them via the KRL anyway).
    const agent = process.env['SSH_AUTH_SOCK'];
    if (agent) await removeGrantCertificatesFromSshAgent(agent, id).catch(() => 0);
  }
  if (options.json === true) printJson(data);
  else process.stdout.write(`Grant ${id}: ${describe(data.grant, context.host.now())}.\n`);
  return EXIT.ok;
}
