import type {
  IssuedCredentialKind,
  IssuedCredentialRecord,
  NewIssuedCredential,
} from '../credentials/issuedCredentialRecord.js';

/** The issued-credential ledger (issue 6); part of `StoreOps`, so issuance commits with its audit record. */
export interface IssuedCredentialStoreOps {
  /** Refused with `conflict` when the id was already recorded. */
  recordIssuedCredential(record: NewIssuedCredential): Promise<void>;
  getIssuedCredential(id: string): Promise<IssuedCredentialRecord | undefined>;
  /** Marks every unrevoked credential of the grant revoked; returns the ones it marked. */
  revokeCredentialsOfGrant(grantId: string, at: number, reason: string): Promise<IssuedCredentialRecord[]>;
  /** Marks every unrevoked credential of the user revoked (a lock); returns the ones it marked. */
  revokeCredentialsOfUser(userId: string, at: number, reason: string): Promise<IssuedCredentialRecord[]>;
  /** Revoked credentials of a kind that are still unexpired at `now` (KRL, token denylist). */
  listRevokedCredentials(kind: IssuedCredentialKind, now: number): Promise<IssuedCredentialRecord[]>;
  /** How many credentials the user was issued at or after `since` (detectors). */
  countIssuedCredentials(userId: string, since: number): Promise<number>;
}
