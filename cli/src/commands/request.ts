import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import { createAccessRequestResponseSchema } from '@strongroom/shared/protocol/jitApi.js';
import type { GlobalOptions } from '../cliContext.js';
import { EXIT } from '../exitCodes.js';
import { jitCall, parseDuration, printJson } from '../jitCall.js';

export interface RequestOptions {
  for: string;
  reason: string;
  ticket?: string;
  dryRun?: boolean;
  json?: boolean;
}

/** `Role` by default: `restricted-data-reader`, or `Dataset:customer-pii` for an asset. */
export function parseTarget(text: string): { type: string; id: string } {
  const colon = text.indexOf(':');
  const typed = colon > 0 && /^[A-Z][A-Za-z]+$/.test(text.slice(0, colon));
  const type = typed ? text.slice(0, colon) : 'Role';
  const id = typed ? text.slice(colon + 1) : text;
  if (id === '')
    throw new StrongroomError('usage', `"${text}" is not a target (see \`strongroom targets\`).`);
  return { type, id };
}

/** `strongroom request <target> --for 2h --reason "…" [--ticket T] [--dry-run]`. */
export async function request(
  global: GlobalOptions,
  target: string,
  options: RequestOptions,
): Promise<number> {
  const body = {
    target: parseTarget(target),
    durationMinutes: parseDuration(options.for),
    reason: options.reason,
    ...(options.ticket === undefined ? {} : { ticket: options.ticket }),
    ...(options.dryRun === true ? { dryRun: true } : {}),
  };
  const { data } = await jitCall(global, 'POST', '/api/v1/requests', createAccessRequestResponseSchema, body);
  if (options.json === true) printJson(data);
  if ('dryRun' in data) {
    if (options.json !== true) {
      process.stdout.write(
        data.allowed
          ? `Would be allowed: ${data.approvalsRequired} approver(s), at most ${data.maxDurationMinutes} min.\n`
          : `Would be denied:\n${data.reasons.map((r) => `  - ${r}`).join('\n')}\n`,
      );
    }
    return data.allowed ? EXIT.ok : EXIT.denied;
  }
  if (options.json !== true) {
    const r = data.request;
    process.stdout.write(
      data.grant
        ? `Break-glass grant ${data.grant.id} active until ${new Date(data.grant.expiresAt ?? 0).toISOString()} (audited, review pending).\n`
        : `Request ${r.id} is pending: ${r.approvalsRequired} approver(s) needed. Watch with \`strongroom watch\`.\n`,
    );
  }
  return EXIT.ok;
}
