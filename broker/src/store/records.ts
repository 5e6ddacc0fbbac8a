/** Row shapes the Store speaks; times are milliseconds since the epoch. */

export type UserStatus = 'active' | 'locked' | 'disabled';

export interface UserRecord {
  id: string;
  email: string;
  displayName: string;
  status: UserStatus;
  createdAt: number;
}

export interface RoleRecord {
  name: string;
  description: string;
}

export interface CredentialRecord {
  /** base64url credential id. */
  id: string;
  userId: string;
  /** COSE public key bytes. */
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
  aaguid: string;
  backedUp: boolean;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface EnrollmentRecord {
  tokenHash: string;
  email: string;
  /** Roles the new user gets once the key is registered. */
  roles: string[];
  kind: 'admin-bootstrap' | 'invite';
  createdBy: string | null;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

export interface OidcPayloadRecord {
  model: string;
  id: string;
  payload: Record<string, unknown>;
  expiresAt: number | null;
  grantId: string | null;
  userCode: string | null;
  uid: string | null;
  consumedAt: number | null;
}
