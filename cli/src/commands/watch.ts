import { userEventSchema } from '@strongroom/shared/protocol/jitApi.js';
import { sessionRevocationFor, wipeRevokedSession } from '@strongroom/shared/session/sessionRevocation.js';
import { cliContext, noBrowser, type GlobalOptions } from '../cliContext.js';
import { deviceClient } from '../deviceClient.js';
import { EXIT } from '../exitCodes.js';

/**
 * `strongroom watch`: prints your events as they come (SSE from `/api/v1/events`). When the stream
 * ends (its token is short-lived) it reconnects from the last event id it printed, so nothing is
 * missed (`?after=` carries Last-Event-ID). Stops on Ctrl-C.
 *
 * On `session.revoked` for this account or this device (a lock), it wipes the profile's keychain
 * entries at once, says why on stderr and exits 3 (not signed in): the broker has already revoked
 * the session, so nothing is sent back.
 */
export async function watch(global: GlobalOptions, options: { json?: boolean }): Promise<number> {
  const context = await cliContext(global, noBrowser);
  const { client, key } = await deviceClient(context);
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
        const revoked = sessionRevocationFor(e, key.thumbprint);
        process.stdout.write(
          options.json === true
            ? `${JSON.stringify(e)}\n`
            : `${new Date(e.time).toISOString()}  ${e.type}  ${JSON.stringify(e.data)}\n`,
        );
        if (revoked !== undefined) {
          await wipeRevokedSession(context.store, context.profile.name);
          process.stderr.write(
            `strongroom: signed out: ${revoked.reason}. Local credentials for profile "${context.profile.name}" were deleted.\n`,
          );
          return EXIT.notSignedIn;
        }
      }
    }
  }
}
