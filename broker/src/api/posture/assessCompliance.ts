import { postureCheckIds, type PostureCheckId } from '@strongroom/shared/posture/PostureCheckId.js';
import type { DevicePostureCheck } from '../../store/deviceRecords.js';

/** Check ids of the posture report (shared/src/posture) → attribute names of the Cedar schema. */
export const policyCheckNames = {
  disk_encryption: 'diskEncryption',
  firewall: 'firewall',
  os_updates: 'osPatch',
  screen_lock: 'screenLock',
  secure_boot: 'secureBoot',
  endpoint_protection: 'endpointProtection',
} as const satisfies Record<PostureCheckId, string>;

export type PolicyCheckName = (typeof policyCheckNames)[PostureCheckId];
export type PolicyChecks = Record<PolicyCheckName, 'pass' | 'fail' | 'unknown'>;

/** Every check, by its policy name; a check the report lacks is `unknown` (never a guess). */
export function policyChecksOf(checks: readonly DevicePostureCheck[]): PolicyChecks {
  const byId = new Map(checks.map((c) => [c.id, c.status]));
  const out = {} as PolicyChecks;
  for (const id of postureCheckIds) out[policyCheckNames[id]] = byId.get(id) ?? 'unknown';
  return out;
}

/**
 * A report is compliant when it answers every check and none failed. `unknown` is an answer, not a
 * failure: policy sees each check on its own (`context.device.checks.*`) and may demand `pass` for a
 * tier (ARCHITECTURE.md, "Devices and posture").
 */
export function assessCompliance(checks: readonly DevicePostureCheck[]): boolean {
  const ids = new Set(checks.map((c) => c.id));
  return postureCheckIds.every((id) => ids.has(id)) && checks.every((c) => c.status !== 'fail');
}
