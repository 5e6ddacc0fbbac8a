import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditEventInput } from './AuditEvent.js';
import { chainAuditRecords } from './chainAuditRecords.js';
import { canonicalJson } from './canonicalJson.js';
import { hashAuditRecord } from './hashAuditRecord.js';
import { validAuditEvent } from './validAuditEvent.js';

const text = fc.string({ minLength: 1, maxLength: 20 });
const event: fc.Arbitrary<AuditEventInput> = fc.record(
  {
    classUid: fc.constantFrom(3001, 3002, 3003, 5001, 5003, 6003),
    activityId: fc.integer({ min: 0, max: 255 }),
    activity: text,
    statusId: fc.constantFrom(1, 2),
    actor: fc.record(
      {
        kind: fc.constantFrom('user', 'admin', 'broker', 'anonymous'),
        userId: text,
        email: text,
        deviceId: text,
      },
      { requiredKeys: ['kind'] },
    ),
    time: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    severityId: fc.integer({ min: 0, max: 99 }),
    srcIp: text,
    data: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })),
  },
  { requiredKeys: ['classUid', 'activityId', 'activity', 'statusId', 'actor', 'time'] },
);

describe('chainAuditRecords', () => {
  it('links each record to the one before, from any head', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 10 }), fc.nat(), (events, start) => {
        const head = { seq: start, hash: 'f'.repeat(64) };
        const chained = chainAuditRecords(head, events.map(validAuditEvent));
        let prev = head;
        for (const { record, body } of chained) {
          expect([record.seq, record.prevHash]).toEqual([prev.seq + 1, prev.hash]);
          expect(hashAuditRecord(record)).toBe(record.hash);
          // The stored body reads back to a record that encodes to the same bytes (-0 reads back as 0).
          expect(canonicalJson(JSON.parse(body))).toBe(body);
          prev = record;
        }
      }),
    );
  });
});
