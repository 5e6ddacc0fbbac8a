import { hash } from 'node:crypto';
import type { AuditRecord } from './AuditEvent.js';
import { canonicalJson } from './canonicalJson.js';

/** The `prevHash` of the first record in the chain. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Hex SHA-256 over the canonical encoding of the record without its own `hash`. The encoding
 * includes `seq` and `prevHash`, so editing, deleting or reordering any record breaks the chain.
 */
export function hashAuditRecord(record: Omit<AuditRecord, 'hash'> & { hash?: string }): string {
  // An undefined member is left out of the canonical encoding, which drops `hash`.
  return hash('sha256', canonicalJson({ ...record, hash: undefined }), 'hex');
}
