import type { AgentState } from '@strongroom/shared/agent/AgentState.js';
import type {
  AccessRequestView,
  ApproveRequest,
  DryRunResponse,
  GrantView,
  TargetsResponse,
} from '@strongroom/shared/protocol/jitApi.js';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';

/**
 * What the renderer pages may ask of the app, and nothing more (CONVENTIONS.md, Boundaries: "the
 * renderer depends on an interface, not on ipcRenderer"). The preload builds it over Electron IPC;
 * the Chromium test harness builds the same object over its own transport. Every method takes at
 * most one plain-object argument, so each maps 1:1 to a channel in ipc.ts, validated there.
 */

/** The windows the app opens; each is one page under the app's base URL. */
export const DESKTOP_PAGES = ['status', 'request', 'approvals', 'posture'] as const;
export type DesktopPage = (typeof DESKTOP_PAGES)[number];

/** The state a page draws, with the main process's clock so "time left" agrees with the tray. */
export type DesktopState = AgentState & { readonly now: number };

/** A request as the form sends it (the broker's body without `dryRun`). */
export interface DesktopAccessRequest {
  target: { type: string; id: string };
  durationMinutes: number;
  reason: string;
  ticket?: string | undefined;
}

export interface ApprovalChallenge {
  /** WebAuthn request options whose challenge commits to this request (broker approvalChallenge.ts). */
  options: PublicKeyCredentialRequestOptionsJSON;
  /** What the touch approves, shown before the key is asked. */
  request: AccessRequestView;
}

/** Closed set of codes an error may carry across IPC. */
export type DesktopErrorCode =
  | 'invalid_payload'
  | 'forbidden_sender'
  | 'unknown_channel'
  | 'not_signed_in'
  | 'session_expired'
  | 'locked'
  | 'posture_failing'
  | 'denied'
  | 'insufficient_authentication'
  | 'not_found'
  | 'broker_unreachable'
  | 'broker_error'
  | 'keychain_unavailable'
  | 'keychain_locked'
  | 'login_failed'
  | 'login_cancelled'
  | 'internal';

/**
 * Errors cross IPC as plain objects (Electron would otherwise flatten an Error into
 * "Error invoking remote method …" and drop its code): `code` to branch on, `message` and `hint`
 * to show.
 */
export interface DesktopError {
  code: DesktopErrorCode;
  message: string;
  hint?: string;
}

export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: DesktopError };

/** The request/answer part of the API: one IPC channel per method. */
export interface DesktopInvokeApi {
  getState(): Promise<DesktopState>;
  /** Opens the broker's sign-in in the system browser (RFC 8252 §4: never an embedded view). */
  signIn(): Promise<DesktopState>;
  signOut(): Promise<DesktopState>;
  listTargets(): Promise<TargetsResponse>;
  /** "Would this be allowed, and who must approve?" before anything is created. */
  dryRunRequest(request: DesktopAccessRequest): Promise<DryRunResponse>;
  createRequest(request: DesktopAccessRequest): Promise<{ request: AccessRequestView }>;
  approvalChallenge(args: { requestId: string }): Promise<ApprovalChallenge>;
  approve(args: {
    requestId: string;
    /** The key's answer in the broker's wire shape (the approve route's body). */
    assertion: ApproveRequest['assertion'];
  }): Promise<{ request: AccessRequestView; grant: GrantView | null }>;
  activateGrant(args: { grantId: string }): Promise<{ grant: GrantView }>;
  dropGrant(args: { grantId: string }): Promise<{ grant: GrantView }>;
  refreshPosture(): Promise<DesktopState>;
  openWindow(args: { page: DesktopPage }): Promise<void>;
}

export type DesktopMethod = keyof DesktopInvokeApi;

/** Every method name, as data: the preload and the harness build the API from this list. */
export const DESKTOP_METHODS = [
  'getState',
  'signIn',
  'signOut',
  'listTargets',
  'dryRunRequest',
  'createRequest',
  'approvalChallenge',
  'approve',
  'activateGrant',
  'dropGrant',
  'refreshPosture',
  'openWindow',
] as const satisfies readonly DesktopMethod[];

export interface DesktopApi extends DesktopInvokeApi {
  /** Called with every new state (pushed by the main process); returns the unsubscribe function. */
  onState(listener: (state: DesktopState) => void): () => void;
}

/** IPC channel of a method, and of the state push. */
export const channelOf = (method: DesktopMethod): string => `strongroom:${method}`;
export const STATE_CHANNEL = 'strongroom:state';
