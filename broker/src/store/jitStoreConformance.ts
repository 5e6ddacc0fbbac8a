import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { BrokerError } from '../errors/BrokerError.js';
import type { AccessRequestRecord, GrantRecord } from './jitRecords.js';
import type { StoreHarness } from './storeConformance.js';
import { makeAuditEvent, makeUser, T0 } from './storeFixtures.js';

export function makeAccessRequest(
  requesterId: string,
  overrides: Partial<AccessRequestRecord> = {},
): AccessRequestRecord {
  return {
    id: randomUUID(),
    requesterId,
    target: { type: 'Role', id: 'restricted-data-reader' },
    tier: 'restricted',
    durationMinutes: 60,
    reason: 'investigate the churn model drift',
    ticket: null,
    status: 'pending',
    approvalsRequired: 2,
    emergency: false,
    contentHash: 'h'.repeat(43),
    bundleHash: 'b'.repeat(64),
    createdAt: T0,
    expiresAt: T0 + 86_400_000,
    decidedAt: null,
    decidedBy: null,
    denyReason: null,
    reviewStatus: 'none',
    ...overrides,
  };
}

export function makeGrant(request: AccessRequestRecord, overrides: Partial<GrantRecord> = {}): GrantRecord {
  return {
    id: randomUUID(),
    requestId: request.id,
    userId: request.requesterId,
    target: request.target,
    tier: request.tier,
    durationMinutes: request.durationMinutes,
    status: 'approved',
    emergency: false,
    createdAt: T0,
    activateBy: T0 + 3_600_000,
    activatedAt: null,
    expiresAt: null,
    endedAt: null,
    endReason: null,
    ...overrides,
  };
}

const codeOf = async (p: Promise<unknown>): Promise<string> => {
  const error: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  return error instanceof BrokerError ? error.code : `not a BrokerError: ${String(error)}`;
};

/** JIT tests of the store conformance suite (issue 5), run by SQLite and PostgreSQL alike. */
export function jitStoreConformance(harness: () => StoreHarness): void {
  it('JIT: stores requests, moves status only from the expected state, lists newest first', async () => {
    const { store } = harness();
    await store.createUser(makeUser({ id: 'ann' }));
    const a = makeAccessRequest('ann', { ticket: 'ML-1' });
    const b = makeAccessRequest('ann', { createdAt: T0 + 1 });
    await store.createAccessRequest(a);
    await store.createAccessRequest(b);
    expect(await store.getAccessRequest(a.id)).toEqual(a);
    expect((await store.listAccessRequests({ requesterId: 'ann', limit: 10 })).map((r) => r.id)).toEqual([
      b.id,
      a.id,
    ]);
    expect(
      await store.setAccessRequestStatus(a.id, 'pending', 'denied', {
        at: T0 + 5,
        by: 'bob',
        denyReason: 'no',
      }),
    ).toBe(true);
    // A second decision racing the first loses: the row is no longer pending.
    expect(await store.setAccessRequestStatus(a.id, 'pending', 'approved', { at: T0 + 6, by: 'cy' })).toBe(
      false,
    );
    expect(await store.getAccessRequest(a.id)).toMatchObject({
      status: 'denied',
      decidedBy: 'bob',
      denyReason: 'no',
    });
    expect((await store.listAccessRequests({ status: 'pending', limit: 10 })).map((r) => r.id)).toEqual([
      b.id,
    ]);
    expect((await store.listPendingRequestsPast(T0 + 86_400_000, 10)).map((r) => r.id)).toEqual([b.id]);
    expect(await store.listPendingRequestsPast(T0 + 86_399_999, 10)).toEqual([]);
    await store.setAccessRequestReview(b.id, 'pending');
    expect((await store.getAccessRequest(b.id))?.reviewStatus).toBe('pending');
    expect(
      await codeOf(store.createAccessRequest(makeAccessRequest('ann', { status: 'bogus' as 'pending' }))),
    ).toBe('invalid_request');
  });

  it('JIT: an approver counts once per request, whatever the credential', async () => {
    const { store } = harness();
    await store.createUser(makeUser({ id: 'ann' }));
    await store.createUser(makeUser({ id: 'bob' }));
    const r = makeAccessRequest('ann');
    await store.createAccessRequest(r);
    await store.addApproval({ requestId: r.id, approverId: 'bob', credentialId: 'k1', approvedAt: T0 + 1 });
    expect(
      await codeOf(
        store.addApproval({ requestId: r.id, approverId: 'bob', credentialId: 'k2', approvedAt: T0 + 2 }),
      ),
    ).toBe('conflict');
    expect(await store.listApprovals(r.id)).toEqual([
      { requestId: r.id, approverId: 'bob', credentialId: 'k1', approvedAt: T0 + 1 },
    ]);
  });

  it('JIT: grants activate only inside their window and end once', async () => {
    const { store } = harness();
    await store.createUser(makeUser({ id: 'ann' }));
    const r = makeAccessRequest('ann');
    await store.createAccessRequest(r);
    const g = makeGrant(r);
    await store.createGrant(g);
    expect(await codeOf(store.createGrant(makeGrant(r)))).toBe('conflict'); // one grant per request
    expect(await store.getGrantByRequest(r.id)).toEqual(g);
    expect(await store.activateGrant(g.id, g.activateBy, g.activateBy + 1)).toBe(false); // window closed
    expect(await store.listUnactivatedGrantsPast(g.activateBy, 10)).toHaveLength(1);
    expect(await store.activateGrant(g.id, T0 + 10, T0 + 10 + 3_600_000)).toBe(true);
    expect(await store.activateGrant(g.id, T0 + 11, T0 + 11 + 3_600_000)).toBe(false); // only once
    expect(await store.getGrant(g.id)).toMatchObject({
      status: 'active',
      activatedAt: T0 + 10,
      expiresAt: T0 + 3_600_010,
    });
    expect(await store.listActiveGrantsExpiringBy(T0 + 3_600_009, 10)).toEqual([]);
    expect(await store.listActiveGrantsExpiringBy(T0 + 3_600_010, 10)).toHaveLength(1);
    expect((await store.listGrants('ann', ['active'])).map((x) => x.id)).toEqual([g.id]);
    expect(await store.endGrant(g.id, T0 + 20, 'dropped')).toBe(true);
    expect(await store.endGrant(g.id, T0 + 21, 'revoked')).toBe(false);
    expect(await store.getGrant(g.id)).toMatchObject({
      status: 'ended',
      endedAt: T0 + 20,
      endReason: 'dropped',
    });
    expect(await store.listGrants('ann', ['active'])).toEqual([]);
  });

  it('JIT: user events get increasing ids, resume after an id, and dedupe by key', async () => {
    const { store } = harness();
    expect(await store.lastUserEventId()).toBe(0);
    const e1 = await store.appendUserEvent({
      userId: 'ann',
      type: 'request.pending',
      data: { a: 1 },
      createdAt: T0,
    });
    const e2 = await store.appendUserEvent({ userId: 'bob', type: 'x', data: {}, createdAt: T0 });
    const e3 = await store.appendUserEvent({
      userId: 'ann',
      type: 'grant.expiring',
      data: { minutes: 10 },
      createdAt: T0,
      dedupeKey: 'g1:t10',
    });
    expect(
      await store.appendUserEvent({
        userId: 'ann',
        type: 'grant.expiring',
        data: {},
        createdAt: T0,
        dedupeKey: 'g1:t10',
      }),
    ).toBeUndefined();
    expect(e1 && e2 && e3 && e1.id < e2.id && e2.id < e3.id).toBe(true);
    expect((await store.listUserEvents('ann', 0, 10)).map((e) => e.id)).toEqual([e1?.id, e3?.id]);
    expect(await store.listUserEvents('ann', e1?.id ?? 0, 10)).toEqual([e3]);
    expect(await store.lastUserEventId()).toBe(e3?.id);
  });

  it('JIT: a request and its audit record commit together or not at all', async () => {
    const { store } = harness();
    await store.createUser(makeUser({ id: 'ann' }));
    const r = makeAccessRequest('ann');
    await expect(
      store.transaction(async (tx) => {
        await tx.createAccessRequest(r);
        await tx.appendAudit(makeAuditEvent());
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.getAccessRequest(r.id)).toBeUndefined();
  });
}
