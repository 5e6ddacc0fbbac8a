import { hash } from 'node:crypto';
import type { AuditHead } from '../store/Store.js';
import type { AuditEventInput, AuditRecord } from './AuditEvent.js';
import { canonicalJson } from './canonicalJson.js';

export interface ChainedAuditRecord {
  record: AuditRecord;
  /** The canonical encoding of the record without `hash`: exactly the bytes `hash` is over. */
  body: string;
}

/**
 * Links validated events (validAuditEvent.ts) onto the chain after `head`: consecutive seqs, each
 * record's hash the SHA-256 of its canonical encoding, which includes its seq and its
 * predecessor's hash (`prevHash`).
 */
export function chainAuditRecords(head: AuditHead, events: readonly AuditEventInput[]): ChainedAuditRecord[] {
  const chained: ChainedAuditRecord[] = [];
  let prev = head;
  for (const event of events) {
    const { activity, activityId, actor, classUid, data, severityId, srcIp, statusId, time } = event;
    // Members in RFC 8785 order, so canonicalJson serializes without making a sorted copy.
    const unhashed: Omit<AuditRecord, 'hash'> = {
      activity,
      activityId,
      actor,
      classUid,
      ...(data === undefined ? {} : { data }),
      prevHash: prev.hash,
      seq: prev.seq + 1,
      ...(severityId === undefined ? {} : { severityId }),
      ...(srcIp === undefined ? {} : { srcIp }),
      statusId,
      time,
    };
    const body = canonicalJson(unhashed);
    const record: AuditRecord = { ...unhashed, hash: hash('sha256', body, 'hex') };
    chained.push({ record, body });
    prev = record;
  }
  return chained;
}
