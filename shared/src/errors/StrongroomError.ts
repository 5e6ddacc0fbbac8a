/**
 * The client core's one error class. A closed union of codes; the hosts (CLI, extension, tray) map
 * them to exit codes and messages once, at their boundary. `hint` is the one-line "what to do".
 */
export type StrongroomErrorCode =
  | 'usage'
  | 'not_signed_in'
  | 'session_expired'
  | 'denied'
  | 'broker_unreachable'
  | 'broker_tls'
  | 'broker_error'
  | 'login_failed'
  | 'login_cancelled'
  | 'insufficient_authentication'
  | 'token_invalid'
  | 'keychain_unavailable'
  | 'keychain_locked'
  | 'config_invalid'
  /** The broker revoked the session or locked the user or device; everything local was wiped. */
  | 'locked'
  /** The device's posture fails: the agent holds back tokens and credentials until it is fixed. */
  | 'posture_failing'
  | 'not_found'
  /** Nothing serves this (e.g. a credential kind no helper registered with the agent). */
  | 'not_supported'
  /** The device key's hardware cannot be used here (no TPM, no access, tpm2-tools missing). */
  | 'device_key_unavailable'
  /** The hardware no longer has this device's key (TPM cleared or replaced): re-enroll the device. */
  | 'device_key_lost'
  | 'internal';

export interface StrongroomErrorOptions {
  cause?: unknown;
  hint?: string;
}

export class StrongroomError extends Error {
  override readonly name = 'StrongroomError';
  readonly code: StrongroomErrorCode;
  readonly hint: string | undefined;

  constructor(code: StrongroomErrorCode, message: string, options: StrongroomErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
  }
}
