import type { AuditActor } from '../audit/AuditEvent.js';
import type { GrantRecord } from '../store/jitRecords.js';
import type { StoreOps } from '../store/Store.js';
import { authorizeSessionEvent } from './authorizeSessionEvent.js';

export interface GrantEndAudit {
  actor: AuditActor;
  /** When the change is recorded (the grant's own end time `at` may be earlier: expiry). */
  time: number;
  srcIp?: string;
}

/**
 * Ends a grant and, in the same transaction, revokes every credential issued under it that is
 * still unexpired (issue 6: "ending a grant revokes what was issued under it": the KRL and the
 * token denylist read the ledger). The revocation gets its own audit record naming the
 * credential ids; the caller audits the grant end itself. Every path that ends a grant goes
 * through here (drop, admin revoke, expiry, posture regression, cancel, lock), so none can forget
 * the credentials. Returns false, changing nothing, when the grant had already ended.
 */
export async function endGrantInTx(
  tx: Pick<StoreOps, 'endGrant' | 'revokeCredentialsOfGrant' | 'appendAudit'>,
  grant: Pick<GrantRecord, 'id' | 'userId'>,
  at: number,
  reason: string,
  audit: GrantEndAudit,
): Promise<boolean> {
  if (!(await tx.endGrant(grant.id, at, reason))) return false;
  const revoked = await tx.revokeCredentialsOfGrant(grant.id, at, `grant_${reason}`);
  if (revoked.length > 0) {
    await tx.appendAudit(
      authorizeSessionEvent('other', {
        name: 'credential.revoke',
        outcome: 'success',
        actor: audit.actor,
        time: audit.time,
        ...(audit.srcIp === undefined ? {} : { srcIp: audit.srcIp }),
        data: {
          grantId: grant.id,
          holder: grant.userId,
          reason: `grant_${reason}`,
          credentials: revoked.map((c) => ({ id: c.id, kind: c.kind, audience: c.audience })),
        },
      }),
    );
  }
  return true;
}
