import type { DesktopApi, DesktopState } from '../api/DesktopApi.js';
import { say } from './dom.js';

declare global {
  interface Window {
    /** Exposed by the preload (contextBridge) or, in tests, by the harness. */
    readonly strongroom?: DesktopApi;
  }
}

/** The one way a page reaches the app. */
export function desktopApi(): DesktopApi {
  const api = window.strongroom;
  if (api === undefined) throw new Error('This page runs only inside the Strongroom app.');
  return api;
}

/** A message for the user from anything a DesktopApi call threw: the app's own words and hint. */
export function describeError(error: unknown): string {
  // DesktopApi rejects with the plain DesktopError object ({code, message, hint}).
  if (typeof error === 'object' && error !== null && 'code' in error && 'message' in error) {
    const e = error as { message?: unknown; hint?: unknown };
    const hint = typeof e.hint === 'string' && e.hint !== '' ? ` ${e.hint}` : '';
    return `${String(e.message)}${hint}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * A page that draws the app's state: draws it now and again on every push from the main process;
 * a failure to read it is said in the page's status region.
 */
export function followState(render: (state: DesktopState) => void): void {
  const api = desktopApi();
  api.onState(render);
  api
    .getState()
    .then((state) => {
      render(state);
      say('', 'idle');
    })
    .catch((error: unknown) => say(describeError(error), 'error'));
}
