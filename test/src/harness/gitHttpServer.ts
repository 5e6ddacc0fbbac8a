import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type GitAuthDecision = { ok: true; user: string } | { ok: false; status: number; challenge: string };

export interface GitHttpServer {
  /** e.g. http://127.0.0.1:41234 (append `/<repo>.git`). */
  readonly url: string;
  /** `host` as git sends it to credential helpers (`127.0.0.1:<port>`). */
  readonly host: string;
  /** Every authorization decision, in order (the test asserts what the server saw). */
  readonly decisions: GitAuthDecision[];
  close(): Promise<void>;
}

/**
 * git's own smart-HTTP server (`git http-backend`, a CGI program) behind a small Node server on
 * 127.0.0.1 that asks `authorize` about every request first, as a git host in front of a
 * repository would. Refusals answer with the given status and `WWW-Authenticate` challenge, which
 * is what makes git consult its credential helpers.
 */
export async function startGitHttpServer(options: {
  projectRoot: string;
  authorize: (request: IncomingMessage, url: URL) => Promise<GitAuthDecision>;
}): Promise<GitHttpServer> {
  const decisions: GitAuthDecision[] = [];
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const decision = await options.authorize(req, url);
    decisions.push(decision);
    if (!decision.ok) {
      res.writeHead(decision.status, {
        'www-authenticate': decision.challenge,
        'content-type': 'text/plain',
      });
      res.end('authentication required\n');
      return;
    }
    const cgi = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        GIT_PROJECT_ROOT: options.projectRoot,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        REMOTE_USER: decision.user,
        REMOTE_ADDR: req.socket.remoteAddress ?? '',
        ...(req.headers['content-encoding']
          ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] }
          : {}),
        ...(typeof req.headers['git-protocol'] === 'string'
          ? { GIT_PROTOCOL: req.headers['git-protocol'] }
          : {}),
      },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    req.pipe(cgi.stdin);
    // CGI output: headers, a blank line, the body.
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const text = head.toString('latin1');
      const end = text.search(/\r?\n\r?\n/);
      if (end < 0) return;
      headersDone = true;
      const separator = /\r?\n\r?\n/.exec(text)?.[0].length ?? 2;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of text.slice(0, end).split(/\r?\n/)) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (name === 'status') status = Number.parseInt(value, 10);
        else if (name !== '') headers[name] = value;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(end + separator));
    });
    await new Promise<void>((resolve) => cgi.once('close', () => resolve()));
    res.end();
  };
  const server = createServer((req, res) => {
    serve(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    decisions,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
