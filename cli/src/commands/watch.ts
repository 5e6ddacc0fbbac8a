import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import { userEventSchema, type UserEvent } from '@strongroom/shared/protocol/jitApi.js';
import { sessionRevocationFor, wipeRevokedSession } from '@strongroom/shared/session/sessionRevocation.js';
import { cliContext, noBrowser, type GlobalOptions } from '../cliContext.js';
import { deviceClient } from '../deviceClient.js';
import { EXIT } from '../exitCodes.js';

/**
 * `strongroom watch`: prints your events as they come (SSE from `/api/v1/events`). When the stream
 * ends (its token is short-lived, and the client's request timeout cuts long reads) it reconnects
 * from the last event id it printed, so nothing is missed (`?after=` carries Last-Event-ID). Stops
 * on Ctrl-C.
 *
 * On `session.revoked` for this account or this device (a lock), it wipes the profile's keychain
 * entries at once, says why on stderr and exits 3 (not signed in): the broker has already revoked
 * the session, so nothing is sent back. A reconnect the broker refuses because the session is over
 * (the refresh token is gone: a lock between two streams) wipes them the same way.
 */
export async function watch(global: GlobalOptions, options: { json?: boolean }): Promise<number> {
  const context = await cliContext(global, noBrowser);
  const { client, key } = await deviceClient(context);
  const signedOut = async (reason: string): Promise<number> => {
    await wipeRevokedSession(context.store, context.profile.name);
    process.stderr.write(
      `strongroom: signed out: ${reason}. Local credentials for profile "${context.profile.name}" were deleted.\n`,
    );
    return EXIT.notSignedIn;
  };
  let last: number | undefined;
  let connected = false;
  for (;;) {
    let response: Response;
    try {
      response = await client.request('GET', `/api/v1/events${last === undefined ? '' : `?after=${last}`}`);
    } catch (error) {
      if (error instanceof StrongroomError && error.code === 'session_expired')
        return signedOut(`the broker ended this session (${error.message})`);
      throw error;
    }
    if (!response.body) return EXIT.failure;
    if (last === undefined && !connected)
      process.stderr.write(
        `strongroom: watching events for profile "${context.profile.name}" (Ctrl-C to stop)\n`,
      );
    connected = true;
    try {
      for await (const e of sseEvents(response.body)) {
        last = e.id;
        process.stdout.write(
          options.json === true
            ? `${JSON.stringify(e)}\n`
            : `${new Date(e.time).toISOString()}  ${e.type}  ${JSON.stringify(e.data)}\n`,
        );
        const revoked = sessionRevocationFor(e, key.thumbprint);
        if (revoked !== undefined) return signedOut(revoked.reason);
      }
    } catch (error) {
      // The request's timeout (or a dropped connection) ended the read: reconnect from `last`.
      if (!(error instanceof Error) || !['TimeoutError', 'AbortError', 'TypeError'].includes(error.name))
        throw error;
    }
  }
}

/** The events of one Server-Sent Events stream (WHATWG HTML §9.2), `data:` lines joined. */
async function* sseEvents(body: AsyncIterable<Uint8Array>): AsyncGenerator<UserEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
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
      if (parsed.success) yield parsed.data;
    }
  }
}
