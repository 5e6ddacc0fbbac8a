import { StrongroomError, type StrongroomErrorCode } from '../errors/StrongroomError.js';
import type { AgentError, AgentErrorCode } from '../protocol/agentApi.js';

const CODES: Readonly<Record<StrongroomErrorCode, AgentErrorCode>> = {
  usage: 'invalid_params',
  not_signed_in: 'not_signed_in',
  session_expired: 'session_expired',
  denied: 'denied',
  broker_unreachable: 'broker_unreachable',
  broker_tls: 'broker_unreachable',
  broker_error: 'broker_error',
  login_failed: 'not_signed_in',
  login_cancelled: 'not_signed_in',
  insufficient_authentication: 'insufficient_authentication',
  token_invalid: 'session_expired',
  keychain_unavailable: 'keychain_unavailable',
  keychain_locked: 'keychain_locked',
  config_invalid: 'internal',
  locked: 'locked',
  posture_failing: 'posture_failing',
  not_found: 'not_found',
  not_supported: 'not_supported',
  // The message and hint (how to fix, or how to re-enroll) cross the socket as they are.
  device_key_unavailable: 'internal',
  device_key_lost: 'internal',
  internal: 'internal',
};

/**
 * An error as it crosses the socket: the code and the user-facing message and hint of a
 * StrongroomError; anything else becomes `internal` with a fixed message (a stray exception's text
 * may hold paths or data that are not the peer's business).
 */
export function toAgentError(error: unknown): AgentError {
  if (error instanceof StrongroomError)
    return {
      code: CODES[error.code],
      message: error.message.slice(0, 2000),
      ...(error.hint !== undefined ? { hint: error.hint.slice(0, 1000) } : {}),
    };
  return { code: 'internal', message: 'The agent failed to answer this request.' };
}
