import { describe, expect, it } from 'vitest';
import type { UserEvent } from '../protocol/jitApi.js';
import type { AgentNotification } from './AgentNotifier.js';
import { reactToBrokerEvent, type EventReactions } from './reactToBrokerEvent.js';

function recorder() {
  const calls: string[] = [];
  const notes: AgentNotification[] = [];
  const r: EventReactions = {
    notify: (n) => notes.push(n),
    lockDown: (reason, source, thumbprint) => {
      calls.push(`lockDown ${source} ${reason} ${thumbprint ?? '-'}`);
      return Promise.resolve();
    },
    wipeGrant: (id) => {
      calls.push(`wipe ${id}`);
      return Promise.resolve();
    },
    syncGrants: () => {
      calls.push('syncGrants');
      return Promise.resolve();
    },
    syncToApprove: () => {
      calls.push('syncToApprove');
      return Promise.resolve();
    },
    recheckPosture: () => calls.push('recheck'),
    log: (_level, message) => calls.push(`log ${message}`),
  };
  return { calls, notes, r };
}
const event = (type: string, data: Record<string, unknown>): UserEvent => ({ id: 1, type, time: 0, data });
const target = { type: 'Role', id: 'restricted-data-reader' };

describe('reactToBrokerEvent', () => {
  it('grant.ended: wipes the grant first, then tells the user why', async () => {
    const { calls, notes, r } = recorder();
    await reactToBrokerEvent(
      event('grant.ended', { grantId: 'g1', target, reason: 'posture_regression' }),
      r,
    );
    expect(calls).toEqual(['wipe g1', 'syncGrants']);
    expect(notes[0]).toMatchObject({
      key: 'grant:g1:ended',
      severity: 'warning',
      body: expect.stringMatching(/posture_regression/),
    });
  });

  it('session.revoked: locks down with the broker reason; a device lock names its key', async () => {
    const { calls, r } = recorder();
    await reactToBrokerEvent(
      event('session.revoked', {
        reason: 'your account was locked by an admin: x',
        scope: 'user',
        thumbprint: null,
      }),
      r,
    );
    await reactToBrokerEvent(
      event('session.revoked', { reason: 'this device was locked', scope: 'device', thumbprint: 'abc' }),
      r,
    );
    expect(calls).toEqual([
      'lockDown session.revoked your account was locked by an admin: x -',
      'lockDown session.revoked this device was locked abc',
    ]);
  });

  it('principal.locked (to admins) only informs: it never wipes the admin', async () => {
    const { calls, notes, r } = recorder();
    await reactToBrokerEvent(event('principal.locked', { email: 'eve@example.test', reason: 'pulls' }), r);
    expect(calls).toEqual([]);
    expect(notes[0]).toMatchObject({ title: 'Strongroom locked eve@example.test' });
  });

  it('approved → Activate, expiring → Extend, pending for an approver → Review; the requester is not asked to review', async () => {
    const { notes, r } = recorder();
    await reactToBrokerEvent(
      event('request.approved', { requestId: 'r1', target, grantId: 'g1', activateBy: 0 }),
      r,
    );
    await reactToBrokerEvent(
      event('grant.expiring', { grantId: 'g1', target, minutesLeft: 2, expiresAt: 0 }),
      r,
    );
    await reactToBrokerEvent(event('request.pending', { requestId: 'r2', target, requester: 'a@x' }), r);
    await reactToBrokerEvent(event('request.pending', { requestId: 'r3', target }), r);
    expect(notes.map((n) => n.actions)).toEqual([
      [{ kind: 'activate', grantId: 'g1' }],
      [{ kind: 'extend', grantId: 'g1', target }],
      [{ kind: 'review', requestId: 'r2' }],
    ]);
    expect(notes[1]?.key).toBe('grant:g1:expiring:2');
  });

  it('ignores unknown types and malformed data, except a revoke, which wipes anyway', async () => {
    const { calls, notes, r } = recorder();
    await reactToBrokerEvent(event('something.new', {}), r);
    await reactToBrokerEvent(event('grant.ended', { grant: 'g1' }), r);
    expect(notes).toEqual([]);
    expect(calls.filter((c) => !c.startsWith('log '))).toEqual([]);
    await reactToBrokerEvent(event('session.revoked', { reason: 42 }), r);
    expect(calls.filter((c) => !c.startsWith('log '))).toEqual([
      'lockDown session.revoked The broker revoked your session. -',
    ]);
  });

  it('device.compliance: wipes the grants it says ended and re-checks posture', async () => {
    const { calls, r } = recorder();
    await reactToBrokerEvent(
      event('device.compliance', { deviceId: 'd', compliant: false, grantsEnded: ['g1', 'g2'] }),
      r,
    );
    expect(calls).toEqual(['wipe g1', 'wipe g2', 'recheck']);
  });
});
