import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface BrowserHandoff {
  /** Base URL for `STRONGROOM_HANDOFF`; the CLI POSTs each URL it would open to it (plus any path). */
  readonly url: string;
  close(): void;
}

/**
 * The "system browser" a CLI under test opens: a loopback server that receives each URL the CLI
 * would open (as the POST body) and hands it, with the request path that names who asked, to
 * `onUrl` — which drives a Chromium page with a virtual key.
 */
export async function startBrowserHandoff(
  onUrl: (url: string, path: string) => void,
): Promise<BrowserHandoff> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      onUrl(body, req.url ?? '/');
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => void server.close(),
  };
}

/**
 * Makes `env`'s CLI open URLs through the handoff at `url`: a tiny opener script (in `root`) that
 * POSTs the URL, named by `STRONGROOM_BROWSER`.
 */
export function useBrowserHandoff(
  cli: { readonly root: string; readonly env: NodeJS.ProcessEnv },
  url: string,
): void {
  const opener = join(cli.root, 'open-browser.mjs');
  writeFileSync(
    opener,
    "await fetch(process.env.STRONGROOM_HANDOFF, { method: 'POST', body: process.argv.at(-1) });\n",
  );
  cli.env['STRONGROOM_HANDOFF'] = url;
  cli.env['STRONGROOM_BROWSER'] = `${process.execPath} ${opener}`;
}
