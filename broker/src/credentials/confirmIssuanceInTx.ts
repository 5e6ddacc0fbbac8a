import type { ApiCaller } from '../api/auth/ApiCaller.js';
import { BrokerError } from '../errors/BrokerError.js';
import { grantStateAt } from '../jit/grantStateAt.js';
import type { StoreOps } from '../store/Store.js';
import type { IssuanceDecision } from './authorizeIssuance.js';

/**
 * Re-reads, inside the transaction that records a credential, what authorizeIssuance decided on
 * before it: the user is still active, the device still active and theirs, the grant still theirs
 * and active. Without this, a lock or an early grant end that commits between authorizeIssuance
 * and the ledger write has already revoked "everything issued" when the new credential is
 * recorded, and that credential lives on, unrevoked, for up to an hour after the lock.
 *
 * Reading the rows inside the transaction locks them (FOR UPDATE on PostgreSQL; SQLite has one
 * writer), in the order lockInTx writes them (user, device, grant), so a lock or grant end either
 * commits first (and this refuses) or waits for this commit (and revokes what it recorded).
 */
export async function confirmIssuanceInTx(
  tx: Pick<StoreOps, 'getUser' | 'getDevice' | 'getGrant'>,
  caller: Pick<ApiCaller, 'user'>,
  decision: Pick<IssuanceDecision, 'grant' | 'deviceId'>,
  now: number,
): Promise<void> {
  const user = await tx.getUser(caller.user.id);
  if (user?.status !== 'active')
    throw new BrokerError('forbidden', `the account is ${user?.status ?? 'gone'}: no credential is issued`);
  const device = await tx.getDevice(decision.deviceId);
  if (device?.status !== 'active' || device.userId !== user.id)
    throw new BrokerError('forbidden', 'credentials are issued only to an enrolled, active device');
  const grant = await tx.getGrant(decision.grant.id);
  if (grant === undefined || grant.userId !== user.id || grantStateAt(grant, now) !== 'active')
    throw new BrokerError('grant_ended', `grant ${decision.grant.id} ended while the credential was made`);
}
