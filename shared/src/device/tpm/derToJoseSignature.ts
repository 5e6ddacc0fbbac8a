import { StrongroomError } from '../../errors/StrongroomError.js';

const bad = (): StrongroomError =>
  new StrongroomError('internal', 'The TPM returned a signature that is not a DER ECDSA P-256 signature.');

/** One DER INTEGER at `at`: its unsigned big-endian value left-padded to 32 bytes, and the next offset. */
function readInteger(der: Uint8Array, at: number): { value: Uint8Array; next: number } {
  const length = der[at + 1];
  if (der[at] !== 0x02 || length === undefined || length < 1 || length > 33) throw bad();
  let value = der.subarray(at + 2, at + 2 + length);
  if (value.length !== length) throw bad();
  // DER keeps a leading 0x00 only to mark a positive number whose top bit is set.
  if (value[0] === 0x00) value = value.subarray(1);
  if (value.length > 32) throw bad();
  const padded = new Uint8Array(32);
  padded.set(value, 32 - value.length);
  return { value: padded, next: at + 2 + length };
}

/**
 * `tpm2_sign -f plain` prints an ECDSA signature as DER `SEQUENCE { INTEGER r, INTEGER s }`; JWS
 * ES256 wants the fixed 64-byte `r || s` (RFC 7518 §3.4), each half left-padded to 32 bytes.
 */
export function derToJoseSignature(der: Uint8Array): Uint8Array {
  // A P-256 signature is at most 72 bytes, so the SEQUENCE length always fits the short form.
  if (der[0] !== 0x30 || der[1] !== der.length - 2) throw bad();
  const r = readInteger(der, 2);
  const s = readInteger(der, r.next);
  if (s.next !== der.length) throw bad();
  const out = new Uint8Array(64);
  out.set(r.value, 0);
  out.set(s.value, 32);
  return out;
}
