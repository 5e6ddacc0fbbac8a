/**
 * The broker's one error class (CONVENTIONS.md, Errors). Codes form a closed union so callers branch
 * on `code`, never on message text. Over HTTP an error becomes `{ error, error_description }`.
 * Add a code here when a new failure needs its own handling; keep the union closed.
 */
export type BrokerErrorCode =
  | 'invalid_request'
  | 'invalid_config'
  | 'not_found'
  | 'conflict'
  | 'unauthorized'
  | 'forbidden'
  | 'enrollment_invalid'
  | 'webauthn_failed'
  | 'audit_write_failed'
  | 'store_failed'
  | 'policy_invalid'
  | 'invalid_token'
  | 'invalid_dpop_proof'
  | 'attestation_rejected'
  | 'policy_denied'
  | 'self_approval'
  | 'duplicate_approval'
  | 'request_closed'
  | 'grant_ended'
  | 'rate_limited'
  | 'internal';

const defaultStatus: Record<BrokerErrorCode, number> = {
  invalid_request: 400,
  invalid_config: 500,
  not_found: 404,
  conflict: 409,
  unauthorized: 401,
  forbidden: 403,
  enrollment_invalid: 400,
  webauthn_failed: 400,
  audit_write_failed: 500,
  store_failed: 500,
  policy_invalid: 422,
  invalid_token: 401,
  invalid_dpop_proof: 401,
  attestation_rejected: 400,
  policy_denied: 403,
  self_approval: 403,
  duplicate_approval: 409,
  request_closed: 409,
  grant_ended: 409,
  rate_limited: 429,
  internal: 500,
};

export interface BrokerErrorOptions {
  cause?: unknown;
  /** HTTP status; defaults from the code. */
  status?: number;
  /** Whether the message may be shown to the caller. Internal failures are not. */
  expose?: boolean;
}

export class BrokerError extends Error {
  override readonly name = 'BrokerError';
  readonly code: BrokerErrorCode;
  readonly status: number;
  readonly expose: boolean;

  constructor(code: BrokerErrorCode, message: string, options: BrokerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status ?? defaultStatus[code];
    this.expose = options.expose ?? this.status < 500;
  }

  /** The OAuth-style body (RFC 6749 §5.2 shape) every HTTP error uses. */
  toJSON(): { error: string; error_description: string } {
    return { error: this.code, error_description: this.expose ? this.message : 'internal error' };
  }
}
