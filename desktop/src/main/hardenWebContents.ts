import type { WebContents } from 'electron';

/**
 * Per window: no navigation at all (pages change by the main process opening another window, never
 * by a link, a redirect or a script), no new windows (`window.open`, target=_blank), no
 * `<webview>`. The app's pages have no links to follow; anything that tries is refused and logged.
 */
export function hardenWebContents(contents: WebContents, log: (message: string) => void): void {
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    log(`navigation refused: ${url.slice(0, 200)}`);
  });
  // Neither fires for the main process's own loadURL; both cover every frame's own attempts.
  contents.on('will-frame-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    log(`window.open refused: ${url.slice(0, 200)}`);
    return { action: 'deny' };
  });
}
