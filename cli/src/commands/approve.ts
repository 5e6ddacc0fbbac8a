import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import { requestsResponseSchema } from '@strongroom/shared/protocol/jitApi.js';
import { z } from 'zod';
import type { GlobalOptions } from '../cliContext.js';
import { EXIT } from '../exitCodes.js';
import { jitCall, printJson } from '../jitCall.js';
import { openSystemBrowser } from '../openSystemBrowser.js';

const linkSchema = z.object({ url: z.string().url(), expiresAt: z.number() });

/**
 * `strongroom approve <id>`: the approval needs a fresh security-key touch bound to this request,
 * done in the system browser on a broker page (the broker makes a one-time link for this device's
 * signed-in user; refusals such as self-approval or not being an approver come back as exit 4 with
 * the reasons). Then waits until the broker has recorded the approval.
 */
export async function approve(
  global: GlobalOptions,
  id: string,
  options: { browser?: boolean; json?: boolean },
): Promise<number> {
  const { data: link, context } = await jitCall(
    global,
    'POST',
    `/api/v1/requests/${encodeURIComponent(id)}/approval-link`,
    linkSchema,
  );
  const opened =
    options.browser !== false && (await openSystemBrowser(link.url, process.env, process.platform));
  process.stderr.write(
    opened
      ? 'Touch your security key in the browser window to approve…\n'
      : `Open this link to approve with your security key:\n  ${link.url}\n`,
  );
  const deadline = Math.min(link.expiresAt, context.host.now() + 10 * 60_000);
  while (context.host.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const { data } = await jitCall(global, 'GET', '/api/v1/requests?toReview=1', requestsResponseSchema);
    if (!data.requests.some((r) => r.id === id)) {
      if (options.json === true) printJson({ approved: true, requestId: id });
      else process.stdout.write(`Approval of ${id} recorded.\n`);
      return EXIT.ok;
    }
  }
  throw new StrongroomError(
    'broker_error',
    'No approval was recorded before the link expired; run `strongroom approve` again.',
  );
}
