import { BrokerError } from '../errors/BrokerError.js';
import type { EnrollmentRecord } from '../store/records.js';
import type { StoreOps } from '../store/Store.js';
import { hashEnrollmentToken, isWellFormedEnrollmentToken } from './enrollmentToken.js';

/**
 * Looks a link up by the hash of its token and says plainly why it cannot be used. The lookup is
 * by hash, so timing reveals nothing about stored tokens.
 */
export async function findUsableEnrollment(
  ops: Pick<StoreOps, 'getEnrollment'>,
  token: string,
  now: number,
): Promise<EnrollmentRecord> {
  const record = isWellFormedEnrollmentToken(token)
    ? await ops.getEnrollment(hashEnrollmentToken(token))
    : undefined;
  if (!record)
    throw new BrokerError('enrollment_invalid', 'This enrollment link is not valid.', { status: 404 });
  if (record.usedAt !== null) {
    throw new BrokerError('enrollment_invalid', 'This enrollment link was already used.', { status: 410 });
  }
  if (record.expiresAt <= now) {
    throw new BrokerError('enrollment_invalid', 'This enrollment link has expired.', { status: 410 });
  }
  return record;
}
