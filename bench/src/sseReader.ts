/**
 * Reads a Server-Sent Events body in the background; `waitFor(match)` resolves when an event whose
 * `data:` line satisfies `match` arrives (benchmarks time the push to it).
 */
export function sseReader(
  body: ReadableStream<Uint8Array>,
): (match: (data: string) => boolean) => Promise<void> {
  const waiters: Array<{ match: (data: string) => boolean; resolve: () => void }> = [];
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of body) {
      buffer += decoder.decode(chunk, { stream: true });
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data =
          block
            .split('\n')
            .find((l) => l.startsWith('data:'))
            ?.slice(5) ?? '';
        for (const w of [...waiters])
          if (w.match(data)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve();
          }
      }
    }
  })().catch(() => undefined);
  return (match) => new Promise<void>((resolve) => waiters.push({ match, resolve }));
}
