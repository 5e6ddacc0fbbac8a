import { createServer, type Server } from 'node:http';

export interface LoopbackReceiver {
  /** http://127.0.0.1:<port>/callback (RFC 8252 §7.3). */
  redirectUri: string;
  /**
   * Resolves with the next callback URL the browser is sent to. Callbacks that arrive first are
   * buffered, so calling this after the browser was redirected is fine (and safer when the sign-in
   * may fail: a waiter left pending would take the next attempt's callback).
   */
  nextCallback(): Promise<URL>;
  close(): Promise<void>;
}

/** A native app's loopback redirect listener, as the CLI runs it. */
export async function startLoopbackReceiver(): Promise<LoopbackReceiver> {
  const waiting: ((url: URL) => void)[] = [];
  const received: URL[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1`);
    if (url.pathname !== '/callback') {
      res.writeHead(404).end();
      return;
    }
    const full = new URL(`${redirectUri}${url.search}`);
    const next = waiting.shift();
    if (next) next(full);
    else received.push(full);
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end('<!doctype html><title>Signed in</title><p>You can close this window.</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const redirectUri = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/callback`;
  return {
    redirectUri,
    nextCallback: () => {
      const ready = received.shift();
      return ready ? Promise.resolve(ready) : new Promise<URL>((resolve) => waiting.push(resolve));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
