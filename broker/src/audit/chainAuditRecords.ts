import type { AuditHead } from '../store/Store.js';
import type { AuditEventInput, AuditRecord } from './AuditEvent.js';
import { hashAuditRecord } from './hashAuditRecord.js';

/** Links events onto the chain after `head`: consecutive seqs, each hashing over its predecessor's hash. */
export function chainAuditRecords(head: AuditHead, events: readonly AuditEventInput[]): AuditRecord[] {
  const records: AuditRecord[] = [];
  let prev = head;
  for (const event of events) {
    const unhashed = { ...event, seq: prev.seq + 1, prevHash: prev.hash };
    const record: AuditRecord = { ...unhashed, hash: hashAuditRecord(unhashed) };
    records.push(record);
    prev = record;
  }
  return records;
}
