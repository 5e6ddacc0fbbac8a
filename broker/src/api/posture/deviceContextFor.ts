import type { DeviceRecord } from '../../store/deviceRecords.js';
import type { Store } from '../../store/Store.js';
import type { ApiOptions } from '../apiOptions.js';
import { policyChecksOf, type PolicyChecks } from './assessCompliance.js';

/**
 * What policy sees as `context.device` (broker/policy/default/schema.cedarschema, RequestContext):
 * the latest verified posture by check, the key protection class, and the attestation's age.
 */
export interface DeviceContext {
  enrolled: boolean;
  /** Active device, latest report compliant and younger than `postureMaxAgeSeconds`. */
  compliant: boolean;
  checks: PolicyChecks;
  /**
   * `hardware` for TPM / Secure Enclave keys, else `software`. As claimed by the agent at enrollment:
   * no key attestation (TPM2 certify, Apple App Attest) is verified yet, so it is as trustworthy as the
   * posture checks themselves (an honest agent, a possibly stolen token), not more.
   */
  keyProtection: 'hardware' | 'software';
  /** Seconds since the last verified report; `NEVER_ATTESTED` when there is none. */
  attestationAgeSeconds: number;
}

/** Age reported for a device that never attested: larger than any policy threshold, fits a Long. */
export const NEVER_ATTESTED = 2_147_483_647;

export interface DeviceContextDeps {
  store: Pick<Store, 'getDevice' | 'getDeviceByThumbprint' | 'getDevicePosture'>;
  now: () => number;
  options: Pick<ApiOptions, 'postureMaxAgeSeconds'>;
}

export interface DeviceContextLookup {
  /** By device id; a device that is not this user's counts as not enrolled. */
  deviceContextFor(userId: string, deviceId: string): Promise<DeviceContext>;
  /** By the device key thumbprint (the `jkt` of the caller's DPoP-bound token). */
  deviceContextForKey(userId: string, thumbprint: string): Promise<DeviceContext>;
}

export function createDeviceContextLookup(deps: DeviceContextDeps): DeviceContextLookup {
  const contextOf = async (userId: string, device: DeviceRecord | undefined): Promise<DeviceContext> => {
    if (!device || device.userId !== userId) {
      return {
        enrolled: false,
        compliant: false,
        checks: policyChecksOf([]),
        keyProtection: 'software',
        attestationAgeSeconds: NEVER_ATTESTED,
      };
    }
    const posture = await deps.store.getDevicePosture(device.id);
    const age = posture ? Math.max(0, Math.floor((deps.now() - posture.attestedAt) / 1000)) : NEVER_ATTESTED;
    const active = device.status === 'active';
    return {
      enrolled: active,
      compliant:
        active && posture !== undefined && posture.compliant && age <= deps.options.postureMaxAgeSeconds,
      checks: policyChecksOf(posture?.checks ?? []),
      keyProtection: device.keyProtection === 'software' ? 'software' : 'hardware',
      attestationAgeSeconds: Math.min(age, NEVER_ATTESTED),
    };
  };
  return {
    deviceContextFor: async (userId, deviceId) => contextOf(userId, await deps.store.getDevice(deviceId)),
    deviceContextForKey: async (userId, thumbprint) =>
      contextOf(userId, await deps.store.getDeviceByThumbprint(thumbprint)),
  };
}
