import { BrokerError } from '../../errors/BrokerError.js';

/** Why a posture report (or a nonce request) was refused; recorded in the audit log as `reason`. */
export type PostureRefusalReason =
  | 'oversized'
  | 'malformed'
  | 'wrong_type'
  | 'unknown_device'
  | 'not_your_device'
  | 'device_not_active'
  | 'wrong_device_key'
  | 'bad_signature'
  | 'invalid_payload'
  | 'device_mismatch'
  | 'stale_report'
  | 'unknown_nonce'
  | 'replayed_nonce'
  | 'expired_nonce';

export interface PostureRefusal {
  ok: false;
  reason: PostureRefusalReason;
  /** Shown to the caller; names the rule, never a secret. */
  message: string;
  deviceId?: string;
}

export const refusal = (reason: PostureRefusalReason, message: string, deviceId?: string): PostureRefusal =>
  deviceId === undefined ? { ok: false, reason, message } : { ok: false, reason, message, deviceId };

/** A device that may not attest is a 403; everything else about a report is a 400. */
export function refusalError(r: PostureRefusal): BrokerError {
  return new BrokerError('attestation_rejected', `posture report refused (${r.reason}): ${r.message}`, {
    status: r.reason === 'device_not_active' ? 403 : 400,
  });
}
