import { createHash } from 'node:crypto';
import type { AuditHead } from '../store/Store.js';
import type { AuditEventInput, AuditRecord } from './AuditEvent.js';
import { canonicalJson } from './canonicalJson.js';

export interface ChainedAuditRecord {
  record: AuditRecord;
  /** The canonical encoding of the record without `hash`: exactly the bytes `hash` is over. */
  body: string;
}

/**
 * Links events onto the chain after `head`: consecutive seqs, each record's hash the SHA-256 of
 * its canonical encoding, which includes its seq and its predecessor's hash (`prevHash`).
 */
export function chainAuditRecords(head: AuditHead, events: readonly AuditEventInput[]): ChainedAuditRecord[] {
  const chained: ChainedAuditRecord[] = [];
  let prev = head;
  for (const event of events) {
    const unhashed = { ...event, seq: prev.seq + 1, prevHash: prev.hash };
    const body = canonicalJson(unhashed);
    const record: AuditRecord = { ...unhashed, hash: createHash('sha256').update(body).digest('hex') };
    chained.push({ record, body });
    prev = record;
  }
  return chained;
}
