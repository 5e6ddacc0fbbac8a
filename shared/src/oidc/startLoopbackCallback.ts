import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StrongroomError } from '../errors/StrongroomError.js';
import { CALLBACK_PAGE_HEADERS, callbackPage } from './callbackPage.js';

export interface CallbackOutcome {
  outcome: 'success' | 'error';
  title: string;
  detail: string;
}

export interface ReceivedCallback {
  /** The full redirect URL (`http://127.0.0.1:<port>/callback?...`), for openid-client to validate. */
  readonly url: URL;
  /** Sends the page the browser shows, then closes the listener for good. */
  respond(outcome: CallbackOutcome): Promise<void>;
}

export interface LoopbackCallback {
  readonly redirectUri: string;
  /** Resolves with the first request to the callback path; rejects on timeout or `close()`. */
  readonly callback: Promise<ReceivedCallback>;
  close(): Promise<void>;
}

/**
 * RFC 8252 §7.3 loopback redirect: listen on 127.0.0.1 (not `localhost`, §8.3) on a port the OS
 * picks, for exactly one authorization response. The first request to /callback is the one; any
 * later request, even on a kept-alive connection, is refused (410) and the server stops listening,
 * so a second redirect cannot inject another code into this login.
 */
export async function startLoopbackCallback(options: { timeoutMs: number }): Promise<LoopbackCallback> {
  let used = false;
  let settle: { resolve: (c: ReceivedCallback) => void; reject: (e: StrongroomError) => void } | undefined;
  const callback = new Promise<ReceivedCallback>((resolve, reject) => (settle = { resolve, reject }));
  callback.catch(() => undefined); // observed by the caller; avoid an unhandled rejection on close()

  const send = (res: ServerResponse, status: number, page: CallbackOutcome): Promise<void> =>
    new Promise((done) => {
      res.writeHead(status, { ...CALLBACK_PAGE_HEADERS, connection: 'close' });
      res.end(callbackPage(page.outcome, page.title, page.detail), () => done());
    });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    if (req.method !== 'GET' || url.pathname !== '/callback') {
      void send(res, 404, {
        outcome: 'error',
        title: 'Not found',
        detail: 'This address only receives the Strongroom sign-in response.',
      });
      return;
    }
    if (used) {
      void send(res, 410, {
        outcome: 'error',
        title: 'Sign-in response already received',
        detail:
          'This sign-in already received its response; a second one is refused. Start a new sign-in if you need to.',
      });
      return;
    }
    used = true;
    // Stop accepting new connections at once; the response below still goes out.
    server.close();
    settle?.resolve({
      url,
      respond: async (page) => {
        await send(res, page.outcome === 'success' ? 200 : 400, page);
        server.closeAllConnections();
      },
    });
  });
  server.keepAliveTimeout = 1_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new StrongroomError('internal', 'Cannot open the loopback port for the sign-in response.', {
          cause: error,
        }),
      ),
    );
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const timer = setTimeout(() => {
    settle?.reject(
      new StrongroomError('login_cancelled', 'Sign-in timed out: no response came back from the browser.', {
        hint: 'Run `strongroom login` again and finish signing in in the browser.',
      }),
    );
    server.close();
    server.closeAllConnections();
  }, options.timeoutMs);
  timer.unref();
  void callback.finally(() => clearTimeout(timer)).catch(() => undefined);

  const { port } = server.address() as AddressInfo;
  return {
    redirectUri: `http://127.0.0.1:${port}/callback`,
    callback,
    close: async () => {
      clearTimeout(timer);
      settle?.reject(new StrongroomError('login_cancelled', 'Sign-in was cancelled.'));
      server.closeAllConnections();
      await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    },
  };
}
