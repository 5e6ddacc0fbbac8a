import { describe, expect, it } from 'vitest';
import { StrongroomError } from '../errors/StrongroomError.js';
import type { TargetView } from '../protocol/jitApi.js';
import {
  buildAccessRequest,
  checkDuration,
  checkReason,
  checkTicket,
  describeDryRun,
  describeTarget,
} from './requestForm.js';

const target: TargetView = {
  type: 'Role',
  id: 'restricted-data-reader',
  tier: 'restricted',
  description: 'Read restricted datasets',
  maxDurationMinutes: 120,
  approvalsRequired: 2,
  emergency: false,
};
const rules = { minReasonLength: 12, ticketPattern: '^[A-Z]+-\\d+$' };

describe('request form rules (client side of bundle.json requests)', () => {
  it('describes a target with tier, maximum duration and approvals', () => {
    expect(describeTarget(target)).toEqual({
      label: 'restricted-data-reader',
      description: 'restricted · up to 2 h',
      detail: '2 approvals needed · Read restricted datasets',
    });
    expect(
      describeTarget({ ...target, type: 'Dataset', id: 'customer-pii', approvalsRequired: 1 }).label,
    ).toBe('Dataset:customer-pii');
  });

  it('durations: forms people type, within the target maximum', () => {
    expect(checkDuration('1h30m', target)).toBeUndefined();
    expect(checkDuration('2h', target)).toBeUndefined();
    expect(checkDuration('121m', target)).toMatch(/At most 2 h/);
    expect(checkDuration('soon', target)).toMatch(/not a duration/);
    expect(checkDuration('0m', target)).toMatch(/not a duration/);
  });

  it('a reason is words, not length: punctuation and spaces do not count', () => {
    expect(checkReason('Investigate label drift', rules)).toBeUndefined();
    expect(checkReason('............', rules)).toMatch(/at least 12/);
    expect(checkReason('   a  b  c   ', rules)).toMatch(/at least 12/);
    expect(checkReason('x'.repeat(2001), rules)).toMatch(/2000/);
  });

  it('a ticket is optional but must match the bundle pattern when given', () => {
    expect(checkTicket('', rules)).toBeUndefined();
    expect(checkTicket('DATA-42', rules)).toBeUndefined();
    expect(checkTicket('data 42', rules)).toMatch(/ticket format/);
    expect(checkTicket('anything', { minReasonLength: 12 })).toBeUndefined();
  });

  it('builds the strict request body, or reports every problem at once', () => {
    expect(
      buildAccessRequest(target, rules, { duration: '45m', reason: ' Investigate label drift ', ticket: '' }),
    ).toEqual({
      target: { type: 'Role', id: 'restricted-data-reader' },
      durationMinutes: 45,
      reason: 'Investigate label drift',
    });
    let error: unknown;
    try {
      buildAccessRequest(target, rules, { duration: '9h', reason: '.', ticket: 'nope' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StrongroomError);
    expect((error as StrongroomError).message).toMatch(/At most 2 h.*at least 12.*ticket format/);
  });

  it('shows the dry run answer: approvals, or the denial reasons', () => {
    const answer = {
      dryRun: true as const,
      allowed: true,
      reasons: [],
      approvalsRequired: 2,
      maxDurationMinutes: 120,
      emergency: false,
      bundleHash: 'h',
    };
    expect(describeDryRun(answer, target)).toBe(
      'restricted-data-reader would be allowed: needs 2 approvals, at most 2 h.',
    );
    expect(
      describeDryRun(
        { ...answer, allowed: false, reasons: ['device posture: disk encryption failed'] },
        target,
      ),
    ).toBe('Would be denied: device posture: disk encryption failed.');
  });
});
