/** Row shapes of the device registry and posture (issue 4); times are milliseconds since the epoch. */

/**
 * `active`: enrolled and usable. `pending`: a re-enrollment waiting for an admin
 * (`requireAdminApprovalForReenrollment`). `locked`: stopped by an admin or a detector. `removed`:
 * taken out of service. `replaced`: a newer key for the same machine took over (key loss).
 */
export type DeviceStatus = 'active' | 'pending' | 'locked' | 'removed' | 'replaced';

export type DeviceKeyProtection = 'software' | 'tpm' | 'secure-enclave';

export interface DeviceRecord {
  id: string;
  userId: string;
  /** RFC 7638 thumbprint of the device key: the `jkt` of its DPoP-bound tokens. Unique. */
  thumbprint: string;
  /** Public JWK (P-256) as JSON members; never a private key. */
  publicJwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string };
  keyProtection: DeviceKeyProtection;
  os: string;
  osVersion: string;
  hostname: string;
  model: string | null;
  serial: string | null;
  status: DeviceStatus;
  enrolledAt: number;
  lastSeenAt: number;
  /** The device that replaced this one (status `replaced`). */
  replacedBy: string | null;
}

export interface DevicePostureCheck {
  id: string;
  status: 'pass' | 'fail' | 'unknown';
  observed: string;
}

/** The latest verified posture report of one device (older ones live in the audit log). */
export interface DevicePostureRecord {
  deviceId: string;
  attestedAt: number;
  compliant: boolean;
  agentVersion: string;
  platform: string;
  checks: DevicePostureCheck[];
}

/** A posture nonce; only its SHA-256 is stored. Bound to one user and one device. */
export interface PostureNonceRecord {
  nonceHash: string;
  userId: string;
  deviceId: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

/** What `consumePostureNonce` found: only `ok` means the nonce was fresh and is now used. */
export type NonceConsumption = 'ok' | 'unknown' | 'used' | 'expired' | 'wrong_device';
