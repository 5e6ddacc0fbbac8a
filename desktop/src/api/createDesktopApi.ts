import {
  DESKTOP_METHODS,
  STATE_CHANNEL,
  channelOf,
  type DesktopApi,
  type DesktopState,
  type IpcResult,
} from './DesktopApi.js';

/** How the API reaches the main process: Electron IPC in the preload, a test bridge in Chromium. */
export interface DesktopTransport {
  invoke(channel: string, payload: unknown): Promise<IpcResult<unknown>>;
  on(channel: string, listener: (payload: unknown) => void): () => void;
}

/**
 * Builds the DesktopApi from a transport: each method sends its one argument on its own channel
 * and unwraps the `{ok, value | error}` answer; a failure rejects with the `DesktopError` object. Validation happens in the main process (ipc.ts);
 * nothing here is trusted by it.
 */
export function createDesktopApi(transport: DesktopTransport): DesktopApi {
  const api: Record<string, unknown> = {};
  for (const method of DESKTOP_METHODS) {
    api[method] = async (payload?: unknown) => {
      const answer = await transport.invoke(channelOf(method), payload);
      // Rejects with the plain DesktopError object itself: Electron's contextBridge copies only the
      // message of an Error, while a plain object crosses whole (code and hint included).
      if (!answer.ok) throw answer.error;
      return answer.value;
    };
  }
  api['onState'] = (listener: (state: DesktopState) => void) =>
    transport.on(STATE_CHANNEL, (state) => listener(state as DesktopState));
  return Object.freeze(api) as unknown as DesktopApi;
}
