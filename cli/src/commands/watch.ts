import { userEventSchema } from '@strongroom/shared/protocol/jitApi.js';
import { cliContext, noBrowser, type GlobalOptions } from '../cliContext.js';
import { deviceClient } from '../deviceClient.js';
import { EXIT } from '../exitCodes.js';

/**
 * `strongroom watch`: prints your events as they come (SSE from `/api/v1/events`). When the stream
 * ends (its token is short-lived) it reconnects from the last event id it printed, so nothing is
 * missed (`?after=` carries Last-Event-ID). Stops on Ctrl-C.
 */
export async function watch(global: GlobalOptions, options: { json?: boolean }): Promise<number> {
  const context = await cliContext(global, noBrowser);
  const { client } = await deviceClient(context);
  let last: number | undefined;
  for (;;) {
    const response = await client.request(
      'GET',
      `/api/v1/events${last === undefined ? '' : `?after=${last}`}`,
    );
    if (!response.body) return EXIT.failure;
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk, { stream: true });
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trimStart())
          .join('\n');
        if (data === '') continue;
        const parsed = userEventSchema.safeParse(JSON.parse(data));
        if (!parsed.success) continue;
        const e = parsed.data;
        last = e.id;
        process.stdout.write(
          options.json === true
            ? `${JSON.stringify(e)}\n`
            : `${new Date(e.time).toISOString()}  ${e.type}  ${JSON.stringify(e.data)}\n`,
        );
      }
    }
  }
}
