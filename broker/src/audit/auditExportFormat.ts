import type { AuditCheckpoint, AuditRecord } from './AuditEvent.js';
import type { AuditPublicJwk } from './AuditSigner.js';
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonicalJson.js';

/**
 * The audit export: JSON Lines, each line the canonical JSON of one object with a `type`.
 *
 *   header      first line: format name and the public keys (JWK, `kid` = RFC 7638 thumbprint)
 *   record      every record in seq order from 1, each followed by the checkpoint at its seq if any;
 *               the record sits under `record` without its hash, which sits beside it
 *   checkpoint  a signed {seq, hash, time}
 *   end         last line: the head, how many records and checkpoints came before, signed, so a
 *               cut-off tail or a dropped checkpoint is detected even past the last checkpoint
 */
export const AUDIT_EXPORT_FORMAT = 'strongroom-audit/1';

export interface AuditExportHeader {
  type: 'header';
  format: typeof AUDIT_EXPORT_FORMAT;
  keys: AuditPublicJwk[];
  exportedAt: number;
}

export interface AuditExportEnd {
  type: 'end';
  /** Hex SHA-256 of the header line, so the signature covers the header too. */
  header: string;
  seq: number;
  hash: string;
  records: number;
  checkpoints: number;
  time: number;
  keyId: string;
  signature: string;
}

export function headerLine(header: Omit<AuditExportHeader, 'type' | 'format'>): string {
  return canonicalJson({ type: 'header', format: AUDIT_EXPORT_FORMAT, ...header });
}

export function headerDigest(line: string): string {
  return createHash('sha256').update(line).digest('hex');
}

/**
 * `{"hash":H,"record":R,"type":"record"}` where R is the canonical record without its hash: the
 * exact bytes H is the SHA-256 of, so a verifier hashes R as it stands instead of re-encoding.
 */
export function recordLine(record: AuditRecord): string {
  return canonicalJson({ hash: record.hash, record: { ...record, hash: undefined }, type: 'record' });
}

export function checkpointLine(checkpoint: AuditCheckpoint): string {
  return canonicalJson({ ...checkpoint, type: 'checkpoint' });
}

/** The bytes an end line's signature covers: the end line without `signature`. */
export function endSigningInput(end: object): string {
  return canonicalJson({ ...end, signature: undefined });
}

export function endLine(end: AuditExportEnd): string {
  return canonicalJson(end);
}
