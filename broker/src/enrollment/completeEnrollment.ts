import { BrokerError } from '../errors/BrokerError.js';
import type { CredentialRecord, EnrollmentRecord, UserRecord } from '../store/records.js';
import type { Store } from '../store/Store.js';

/**
 * Consumes the link, creates the user with its roles and registers the key, with the audit record
 * (OCSF Account Change 3001, activity 1 Create), all in one transaction: a reused or expired link,
 * an existing user, or an audit failure leaves nothing behind.
 */
export async function completeEnrollment(
  store: Store,
  opts: {
    enrollment: EnrollmentRecord;
    user: Pick<UserRecord, 'id' | 'displayName'>;
    credential: CredentialRecord;
    now: number;
    srcIp?: string;
  },
): Promise<UserRecord> {
  const { enrollment, now } = opts;
  return store.transaction(async (tx) => {
    if (!(await tx.consumeEnrollment(enrollment.tokenHash, now))) {
      throw new BrokerError('enrollment_invalid', 'This enrollment link has expired or was already used.', {
        status: 410,
      });
    }
    if (await tx.getUserByEmail(enrollment.email)) {
      throw new BrokerError('conflict', 'A user with this email already exists.');
    }
    const user = await tx.createUser({
      id: opts.user.id,
      email: enrollment.email,
      displayName: opts.user.displayName,
      createdAt: now,
    });
    const known = new Set((await tx.listRoles()).map((r) => r.name));
    for (const role of enrollment.roles) {
      if (!known.has(role)) await tx.upsertRole({ name: role, description: '' });
      await tx.addMembership(user.id, role);
    }
    await tx.addCredential(opts.credential);
    await tx.appendAudit({
      classUid: 3001,
      activityId: 1,
      activity: 'enroll',
      statusId: 1,
      actor: { kind: 'user', userId: user.id, email: user.email },
      time: now,
      ...(opts.srcIp === undefined ? {} : { srcIp: opts.srcIp }),
      data: {
        roles: enrollment.roles,
        kind: enrollment.kind,
        credentialId: opts.credential.id,
        aaguid: opts.credential.aaguid,
      },
    });
    return user;
  });
}
