import type { ApiCaller } from '../api/auth/ApiCaller.js';
import { authorizeSessionEvent } from '../jit/authorizeSessionEvent.js';
import type { StoreOps } from '../store/Store.js';
import { issuanceActor } from './auditIssuanceRefusal.js';
import type { IssuanceDecision } from './authorizeIssuance.js';
import { confirmIssuanceInTx } from './confirmIssuanceInTx.js';
import type { NewIssuedCredential } from './issuedCredentialRecord.js';

/**
 * Inside the issuing transaction: confirms what authorizeIssuance decided on (confirmIssuanceInTx),
 * then writes the credential to the ledger and its `credential.issue` success audit, so a lock or
 * grant end either sees the record and revokes it or refuses the issue. The audit's data starts
 * with the credential's kind and id; `data` adds what is particular to that kind (never secrets).
 */
export async function recordIssuanceInTx(
  tx: Pick<StoreOps, 'getUser' | 'getDevice' | 'getGrant' | 'recordIssuedCredential' | 'appendAudit'>,
  caller: ApiCaller,
  decision: Pick<IssuanceDecision, 'grant' | 'deviceId'>,
  now: number,
  credential: NewIssuedCredential,
  data: Record<string, unknown>,
): Promise<void> {
  await confirmIssuanceInTx(tx, caller, decision, now);
  await tx.recordIssuedCredential(credential);
  await tx.appendAudit(
    authorizeSessionEvent('assignPrivileges', {
      name: 'credential.issue',
      outcome: 'success',
      actor: issuanceActor(caller),
      time: credential.issuedAt,
      srcIp: caller.srcIp,
      data: { kind: credential.kind, credentialId: credential.id, ...data },
    }),
  );
}
