import { agentAccessRequestParamsSchema } from '@strongroom/shared/protocol/agentApi.js';
import { webauthnAssertionSchema } from '@strongroom/shared/protocol/jitApi.js';
import { z } from 'zod';
import {
  DESKTOP_METHODS,
  DESKTOP_PAGES,
  channelOf,
  type DesktopInvokeApi,
  type DesktopMethod,
} from './api/DesktopApi.js';

/**
 * Every IPC channel and its payload, in one file (CONVENTIONS.md, Boundaries). The main process
 * parses every payload with these schemas before anything else runs; objects are strict, so an
 * unknown field is refused (ARCHITECTURE.md, "Security rules"). Answers are typed by DesktopApi.
 */

const noPayload = z.undefined();
const id = z.string().min(1).max(200);

/** The payload of each method: what `DesktopInvokeApi[method]` takes (checked below). */
export const ipcPayloadSchemas = {
  getState: noPayload,
  signIn: noPayload,
  signOut: noPayload,
  listTargets: noPayload,
  dryRunRequest: agentAccessRequestParamsSchema,
  createRequest: agentAccessRequestParamsSchema,
  approvalChallenge: z.strictObject({ requestId: z.string().uuid() }),
  approve: z.strictObject({
    requestId: z.string().uuid(),
    // The broker's own body schema for the assertion: the same limits as the HTTP route.
    assertion: webauthnAssertionSchema,
  }),
  activateGrant: z.strictObject({ grantId: id }),
  dropGrant: z.strictObject({ grantId: id }),
  refreshPosture: noPayload,
  openWindow: z.strictObject({ page: z.enum(DESKTOP_PAGES) }),
} as const satisfies { [M in DesktopMethod]: z.ZodType };

/** What a method receives after validation. */
export type IpcPayload<M extends DesktopMethod> = z.output<(typeof ipcPayloadSchemas)[M]>;

/** The implementation of the API in the main process, one function per channel. */
export type IpcMethods = {
  [M in DesktopMethod]: (payload: IpcPayload<M>) => ReturnType<DesktopInvokeApi[M]>;
};

// Compile-time: every schema accepts what the renderer's interface sends (argument or none).
type Sent<M extends DesktopMethod> = Parameters<DesktopInvokeApi[M]> extends [infer A] ? A : undefined;
type Accepts = { [M in DesktopMethod]: Sent<M> extends z.input<(typeof ipcPayloadSchemas)[M]> ? true : M };
const accepts: Accepts = {
  getState: true,
  signIn: true,
  signOut: true,
  listTargets: true,
  dryRunRequest: true,
  createRequest: true,
  approvalChallenge: true,
  approve: true,
  activateGrant: true,
  dropGrant: true,
  refreshPosture: true,
  openWindow: true,
};
void accepts;

/** channel name → method, for the handlers main registers (`strongroom:<method>`). */
export const ipcChannels: ReadonlyMap<string, DesktopMethod> = new Map(
  DESKTOP_METHODS.map((method) => [channelOf(method), method]),
);

export type ParsedIpc =
  | { ok: true; method: DesktopMethod; payload: unknown }
  | { ok: false; reason: 'unknown_channel' | 'invalid_payload'; detail: string };

/** Looks the channel up and parses its payload; never throws. */
export function parseIpc(channel: string, payload: unknown): ParsedIpc {
  const method = ipcChannels.get(channel);
  if (method === undefined) return { ok: false, reason: 'unknown_channel', detail: 'no such channel' };
  const parsed = ipcPayloadSchemas[method].safeParse(payload);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`)
      .join('; ');
    return { ok: false, reason: 'invalid_payload', detail };
  }
  return { ok: true, method, payload: parsed.data };
}
