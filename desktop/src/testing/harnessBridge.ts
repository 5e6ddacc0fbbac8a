import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Where the page-side bridge finds its two hooks (installed by openAppPage.ts). */
export const HARNESS_INVOKE = '__strongroomInvoke';
export const HARNESS_PUSH = '__strongroomPush';

const createDesktopApiSource = fileURLToPath(new URL('../../src/api/createDesktopApi.ts', import.meta.url));

let bundled: Promise<string> | undefined;

/**
 * The test harness's stand-in for the preload: the SAME createDesktopApi the preload uses, over a
 * Playwright binding instead of ipcRenderer, bundled into one script that runs before the page's
 * own. Only the transport differs from the app; the main-process side is the app's real
 * createIpcHandler (sender check, payload validation) over the real agent.
 */
export function harnessBridgeScript(): Promise<string> {
  bundled ??= build({
    stdin: {
      contents: `
        import { createDesktopApi } from ${JSON.stringify(createDesktopApiSource)};
        const listeners = new Map();
        const invoke = window[${JSON.stringify(HARNESS_INVOKE)}];
        Object.defineProperty(window, ${JSON.stringify(HARNESS_PUSH)}, {
          value: (channel, payload) => { for (const l of listeners.get(channel) ?? []) l(payload); },
        });
        Object.defineProperty(window, 'strongroom', {
          value: createDesktopApi({
            invoke: (channel, payload) => invoke(channel, payload),
            on(channel, listener) {
              const set = listeners.get(channel) ?? new Set();
              listeners.set(channel, set);
              set.add(listener);
              return () => set.delete(listener);
            },
          }),
        });
      `,
      resolveDir: fileURLToPath(new URL('.', import.meta.url)),
      loader: 'js',
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome130',
    write: false,
    logLevel: 'warning',
  }).then((result) => result.outputFiles[0]?.text ?? '');
  return bundled;
}
