import { userEventSchema, type UserEvent } from '../protocol/jitApi.js';

/**
 * The broker's event stream (`GET /api/v1/events`, Server-Sent Events) as parsed user events.
 * Blocks end at a blank line; `data:` lines join with newlines (HTML Living Standard §9.2.6).
 * Anything that is not a user event (comments, keep-alives, unknown shapes) is skipped.
 */
export async function* readUserEvents(body: AsyncIterable<Uint8Array>): AsyncGenerator<UserEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n?/g, '\n');
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      if (data === '') continue;
      let json: unknown;
      try {
        json = JSON.parse(data);
      } catch {
        continue;
      }
      const parsed = userEventSchema.safeParse(json);
      if (parsed.success) yield parsed.data;
    }
  }
}
