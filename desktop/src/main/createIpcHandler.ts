import type { DesktopMethod, IpcResult } from '../api/DesktopApi.js';
import { parseIpc, type IpcMethods } from '../ipc.js';
import { isAppPageUrl } from './appPages.js';
import { toDesktopError } from './toDesktopError.js';

export interface IpcHandlerDeps {
  /** Base URL of the app's pages right now (follows the current profile's broker). */
  appBase(): URL;
  methods: IpcMethods;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

export type IpcHandler = (
  channel: string,
  payload: unknown,
  senderFrameUrl: string | undefined,
) => Promise<IpcResult<unknown>>;

/**
 * The one entry point for every IPC message, in this order: the sender frame must be one of the
 * app's own pages (a frame from anywhere else never reaches a method, whatever it sends); the
 * channel must exist; the payload must parse with its schema (ipc.ts). Only then the method runs.
 * Every answer is a plain `{ok, value | error}` object; nothing throws across IPC.
 */
export function createIpcHandler(deps: IpcHandlerDeps): IpcHandler {
  return async (channel, payload, senderFrameUrl) => {
    if (!isAppPageUrl(senderFrameUrl, deps.appBase())) {
      deps.log(
        'warn',
        `IPC refused: sender frame ${JSON.stringify(senderFrameUrl ?? null)} is not an app page`,
      );
      return {
        ok: false,
        error: { code: 'forbidden_sender', message: 'Only the Strongroom app’s own pages may use this.' },
      };
    }
    const parsed = parseIpc(channel, payload);
    if (!parsed.ok) {
      deps.log('warn', `IPC refused on ${channel}: ${parsed.reason}: ${parsed.detail}`);
      return {
        ok: false,
        error:
          parsed.reason === 'unknown_channel'
            ? { code: 'unknown_channel', message: `No such channel: ${channel.slice(0, 100)}` }
            : { code: 'invalid_payload', message: `Malformed request: ${parsed.detail}` },
      };
    }
    try {
      const method = deps.methods[parsed.method] as (payload: unknown) => Promise<unknown>;
      return { ok: true, value: await method(parsed.payload) };
    } catch (error) {
      const plain = toDesktopError(error);
      deps.log(
        plain.code === 'internal' ? 'error' : 'info',
        `${parsed.method as DesktopMethod} failed: ${describe(error)}`,
      );
      return { ok: false, error: plain };
    }
  };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message} (cause: ${error.cause.message})` : error.message;
}
