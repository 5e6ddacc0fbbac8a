/**
 * The ledger of short-lived credentials the broker issued (issue 6): every one is issued under a
 * JIT grant to one device, and revoked when that grant ends early or its holder is locked. Only
 * identifiers are kept, never the credential itself.
 */
export type IssuedCredentialKind =
  'ssh-certificate' | 'service-token' | 'aws-web-identity' | 'git-token' | 'kube-token';

export interface IssuedCredentialRecord {
  /** The token's `jti`, or `ssh:<serial>` for a certificate. */
  id: string;
  kind: IssuedCredentialKind;
  userId: string;
  /** The device record the credential was issued to (the caller's DPoP key). */
  deviceId: string;
  grantId: string;
  /** Service audience, host group, AWS role ARN, git host or cluster. */
  audience: string;
  /** OpenSSH certificate serial (decimal u64); null for tokens. */
  serial: string | null;
  issuedAt: number;
  expiresAt: number;
  revokedAt: number | null;
  revokeReason: string | null;
}

export type NewIssuedCredential = Omit<IssuedCredentialRecord, 'revokedAt' | 'revokeReason'>;
