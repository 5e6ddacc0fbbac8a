import type { AuditActor } from '../audit/AuditEvent.js';
import type { EnrollmentRecord } from '../store/records.js';
import type { Store } from '../store/Store.js';
import { newEnrollmentToken } from './enrollmentToken.js';

export interface CreateEnrollmentLinkOptions {
  issuer: string;
  email: string;
  roles: string[];
  kind: EnrollmentRecord['kind'];
  createdBy: AuditActor;
  ttlSeconds: number;
  now: number;
}

/**
 * Creates a one-time enrollment link and audits it (OCSF Account Change 3001, activity 1 Create)
 * in the same transaction. The token appears only in the returned URL, never in the store or log.
 */
export async function createEnrollmentLink(
  store: Store,
  opts: CreateEnrollmentLinkOptions,
): Promise<{ url: string; expiresAt: number }> {
  const { token, tokenHash } = newEnrollmentToken();
  const expiresAt = opts.now + opts.ttlSeconds * 1000;
  await store.transaction(async (tx) => {
    await tx.createEnrollment({
      tokenHash,
      email: opts.email,
      roles: opts.roles,
      kind: opts.kind,
      createdBy: opts.createdBy.userId ?? null,
      createdAt: opts.now,
      expiresAt,
      usedAt: null,
    });
    await tx.appendAudit({
      classUid: 3001,
      activityId: 1,
      activity: 'enrollment.invite',
      statusId: 1,
      actor: opts.createdBy,
      time: opts.now,
      data: {
        email: opts.email,
        roles: opts.roles,
        kind: opts.kind,
        expiresAt,
        tokenHashPrefix: tokenHash.slice(0, 8),
      },
    });
  });
  return { url: `${opts.issuer}/enroll/${token}`, expiresAt };
}
