import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BrokerError } from '../errors/BrokerError.js';
import { makeAuditEvent } from '../store/storeFixtures.js';
import { validAuditEvent } from './validAuditEvent.js';

describe('validAuditEvent', () => {
  it('returns a copy of a valid event with only its known members', () => {
    const e = makeAuditEvent({ severityId: 3, srcIp: '::1' });
    expect(validAuditEvent(e)).toEqual(e);
    expect(validAuditEvent(e)).not.toBe(e);
  });

  it.each([
    ['unknown member', { extra: 1 }],
    ['unknown actor member', { actor: { kind: 'user', role: 'admin' } }],
    ['bad class', { classUid: 9999 }],
    ['bad activity id', { activityId: 1.5 }],
    ['empty activity', { activity: '' }],
    ['long activity', { activity: 'x'.repeat(201) }],
    ['bad status', { statusId: 3 }],
    ['negative time', { time: -1 }],
    ['string time', { time: '1' }],
    ['bad actor kind', { actor: { kind: 'root' } }],
    ['actor not object', { actor: null }],
    ['bad severity', { severityId: 100 }],
    ['empty srcIp', { srcIp: '' }],
    ['array data', { data: [1] }],
  ])('refuses %s', (_name, override) => {
    expect(() => validAuditEvent({ ...makeAuditEvent(), ...override } as never)).toThrow(BrokerError);
  });

  it('never throws anything but a BrokerError on arbitrary input', () => {
    fc.assert(
      fc.property(fc.anything(), (junk) => {
        try {
          validAuditEvent(junk as never);
        } catch (error) {
          expect(error).toBeInstanceOf(BrokerError);
        }
      }),
    );
  });
});
