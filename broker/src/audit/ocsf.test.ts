import { describe, expect, it } from 'vitest';
import { validAuditEvent } from './validAuditEvent.js';
import { accountChangeEvent, apiActivityEvent, authenticationEvent } from './ocsf.js';

const actor = { kind: 'user' as const, userId: 'u1' };

describe('OCSF event constructors', () => {
  it('fill class, activity, status and severity ids', () => {
    expect(
      authenticationEvent('logon', { name: 'login', outcome: 'success', actor, time: 1, srcIp: '127.0.0.1' }),
    ).toEqual({
      classUid: 3002,
      activityId: 1,
      activity: 'login',
      statusId: 1,
      severityId: 1,
      actor,
      time: 1,
      srcIp: '127.0.0.1',
    });
    expect(
      accountChangeEvent('lock', { name: 'user.lock', outcome: 'success', actor, time: 1, severity: 'high' }),
    ).toMatchObject({
      classUid: 3001,
      activityId: 9,
      severityId: 4,
    });
    expect(
      apiActivityEvent('delete', {
        name: 'token.revoke',
        outcome: 'failure',
        actor,
        time: 1,
        data: { a: 1 },
      }),
    ).toMatchObject({
      classUid: 6003,
      activityId: 4,
      statusId: 2,
      severityId: 2,
      data: { a: 1 },
    });
  });

  it('produce events the audit log accepts', () => {
    const event = authenticationEvent('logoff', { name: 'logout', outcome: 'success', actor, time: 5 });
    expect(validAuditEvent(event)).toEqual(event);
  });
});
