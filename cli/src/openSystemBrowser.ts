import { spawn } from 'node:child_process';

/**
 * Opens a URL in the user's browser (RFC 8252 §4: the system browser, never an embedded view).
 * STRONGROOM_BROWSER overrides the opener: a command split on spaces (no quoting), given the URL
 * as its last argument. Resolves false when nothing could be started.
 */
export function openSystemBrowser(
  url: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): Promise<boolean> {
  const override = env['STRONGROOM_BROWSER']?.trim();
  const [command, ...args] =
    override !== undefined && override !== ''
      ? override.split(/\s+/)
      : platform === 'darwin'
        ? ['open']
        : platform === 'win32'
          ? ['rundll32', 'url.dll,FileProtocolHandler']
          : ['xdg-open'];
  return new Promise((resolve) => {
    const child = spawn(command as string, [...args, url], { stdio: 'ignore', detached: true });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
