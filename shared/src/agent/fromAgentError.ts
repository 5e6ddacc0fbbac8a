import { StrongroomError, type StrongroomErrorCode } from '../errors/StrongroomError.js';
import type { AgentError } from '../protocol/agentApi.js';

/** Wire codes a client maps back one to one; everything else is a usage or internal error. */
const SAME: ReadonlySet<string> = new Set<StrongroomErrorCode>([
  'not_signed_in',
  'session_expired',
  'denied',
  'insufficient_authentication',
  'broker_unreachable',
  'broker_error',
  'keychain_unavailable',
  'keychain_locked',
  'locked',
  'posture_failing',
  'not_found',
  'not_supported',
]);

/**
 * The client side of toAgentError: an agent's answer as the client core's error, so the CLI maps
 * it to the same exit codes as when it works alone. Zod-free (the CLI's hot path imports it).
 */
export function fromAgentError(error: Pick<AgentError, 'code' | 'message' | 'hint'>): StrongroomError {
  // An unknown method means "this agent does not serve that" (an older agent), which a helper may
  // work around alone; invalid params are the caller's mistake, which it may not.
  const code: StrongroomErrorCode = SAME.has(error.code)
    ? (error.code as StrongroomErrorCode)
    : error.code === 'unknown_method'
      ? 'not_supported'
      : error.code === 'invalid_params'
        ? 'usage'
        : 'internal';
  return new StrongroomError(code, error.message, error.hint === undefined ? {} : { hint: error.hint });
}
