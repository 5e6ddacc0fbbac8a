import { accessRequestViewSchema, requestsResponseSchema } from '@strongroom/shared/protocol/jitApi.js';
import { z } from 'zod';
import type { GlobalOptions } from '../cliContext.js';
import { EXIT } from '../exitCodes.js';
import { jitCall, printJson } from '../jitCall.js';

/** `strongroom requests [--to-review]`: yours, or those waiting for your approval. */
export async function requests(
  global: GlobalOptions,
  options: { toReview?: boolean; json?: boolean },
): Promise<number> {
  const path = options.toReview === true ? '/api/v1/requests?toReview=1' : '/api/v1/requests';
  const { data } = await jitCall(global, 'GET', path, requestsResponseSchema);
  if (options.json === true) {
    printJson(data);
    return EXIT.ok;
  }
  if (data.requests.length === 0) process.stdout.write('No requests.\n');
  for (const r of data.requests) {
    const who = options.toReview === true ? `${r.requesterEmail ?? r.requesterId}  ` : '';
    process.stdout.write(
      `${r.id}  ${who}${r.target.id}  ${r.durationMinutes} min  ${r.status} (${r.approvals.length}/${r.approvalsRequired})  ${JSON.stringify(r.reason)}\n`,
    );
  }
  return EXIT.ok;
}

/** `strongroom deny <id> --reason "…"` and `strongroom cancel <id>`. */
export async function closeRequest(
  global: GlobalOptions,
  id: string,
  how: 'deny' | 'cancel',
  options: { reason?: string; json?: boolean },
): Promise<number> {
  const body = how === 'deny' ? { reason: options.reason ?? '' } : undefined;
  const { data } = await jitCall(
    global,
    'POST',
    `/api/v1/requests/${encodeURIComponent(id)}/${how}`,
    z.object({ request: accessRequestViewSchema }),
    body,
  );
  if (options.json === true) printJson(data);
  else process.stdout.write(`Request ${id} ${how === 'deny' ? 'denied' : 'cancelled'}.\n`);
  return EXIT.ok;
}
