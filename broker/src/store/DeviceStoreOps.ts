import type {
  DevicePostureRecord,
  DeviceRecord,
  DeviceStatus,
  NonceConsumption,
  PostureNonceRecord,
} from './deviceRecords.js';

/**
 * The device registry, posture and single-use values of the broker's API (issue 4). Part of
 * `StoreOps`, so each write can share a transaction with its audit record.
 */
export interface DeviceStoreOps {
  /** Refused with `conflict` when the id or the key thumbprint is already enrolled. */
  createDevice(device: DeviceRecord): Promise<void>;
  getDevice(id: string): Promise<DeviceRecord | undefined>;
  getDeviceByThumbprint(thumbprint: string): Promise<DeviceRecord | undefined>;
  /** The user's devices, oldest first, in every status. */
  listDevices(userId: string): Promise<DeviceRecord[]>;
  /** Refused with `not_found` for an unknown device. */
  setDeviceStatus(id: string, status: DeviceStatus, replacedBy?: string | null): Promise<void>;
  touchDevice(id: string, seenAt: number): Promise<void>;

  /** Keeps only the latest report per device. */
  putDevicePosture(posture: DevicePostureRecord): Promise<void>;
  getDevicePosture(deviceId: string): Promise<DevicePostureRecord | undefined>;

  createPostureNonce(nonce: PostureNonceRecord): Promise<void>;
  /**
   * Marks the nonce used if it exists, is bound to this user and device, is unused and unexpired at
   * `now`; exactly one caller can get `ok` for a nonce, across broker instances.
   */
  consumePostureNonce(
    nonceHash: string,
    userId: string,
    deviceId: string,
    now: number,
  ): Promise<NonceConsumption>;

  /**
   * Records a DPoP proof `jti` (hashed) until `expiresAt`; false when it was already recorded and
   * has not expired (RFC 9449 §11.1 replay). Atomic across broker instances.
   */
  recordProofJti(jtiHash: string, expiresAt: number, now: number): Promise<boolean>;
  /** Deletes expired nonces and proof jtis; returns how many. */
  sweepDeviceState(now: number): Promise<number>;
}
