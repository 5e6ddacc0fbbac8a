import { StrongroomError, type StrongroomErrorCode } from '@strongroom/shared/errors/StrongroomError.js';
import type { DesktopError, DesktopErrorCode } from '../api/DesktopApi.js';

const FROM_SHARED: Partial<Record<StrongroomErrorCode, DesktopErrorCode>> = {
  not_signed_in: 'not_signed_in',
  session_expired: 'session_expired',
  locked: 'locked',
  posture_failing: 'posture_failing',
  denied: 'denied',
  insufficient_authentication: 'insufficient_authentication',
  not_found: 'not_found',
  broker_unreachable: 'broker_unreachable',
  broker_tls: 'broker_unreachable',
  broker_error: 'broker_error',
  keychain_unavailable: 'keychain_unavailable',
  keychain_locked: 'keychain_locked',
  login_failed: 'login_failed',
  login_cancelled: 'login_cancelled',
  token_invalid: 'not_signed_in',
};

/** A thing that already is a desktop error (e.g. a refusal raised by the main process itself). */
export class DesktopRefusal extends Error {
  override readonly name = 'DesktopRefusal';
  constructor(
    readonly code: DesktopErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/**
 * Clones an error into the plain object that crosses IPC (Teleport Connect's rule): a closed code,
 * the message and the hint the client core wrote for the user. Anything unexpected becomes
 * `internal` with a generic message: stacks and causes stay in the main process's log.
 */
export function toDesktopError(error: unknown): DesktopError {
  if (error instanceof DesktopRefusal)
    return { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  if (error instanceof StrongroomError) {
    return {
      code: FROM_SHARED[error.code] ?? 'internal',
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
    };
  }
  return { code: 'internal', message: 'Something went wrong in the Strongroom app; see its log.' };
}
