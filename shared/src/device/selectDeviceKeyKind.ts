import { StrongroomError } from '../errors/StrongroomError.js';
import type { DeviceKeySettings } from './deviceKeySettings.js';
import { probeTpm } from './tpm/probeTpm.js';
import { DEFAULT_TCTI } from './tpm/tpmTcti.js';

export type DeviceKeySelection =
  | { readonly kind: 'tpm'; readonly tcti: string }
  /** `reason`: why not hardware, for the logs and `strongroom status`. */
  | { readonly kind: 'software'; readonly reason: string };

/**
 * Why this platform has no hardware key here (undefined: it has one, the TPM). Linux: the TPM
 * through tpm2-tools. macOS (Secure Enclave) and Windows (TPM through CNG) need a native helper
 * that this version does not ship, so they use software keys, and say so.
 */
function noHardwareReason(platform: NodeJS.Platform): string | undefined {
  switch (platform) {
    case 'linux':
      return undefined;
    case 'darwin':
      return 'Secure Enclave keys need a native helper that this version of Strongroom does not have';
    case 'win32':
      return 'TPM keys on Windows need a native (CNG) helper that this version of Strongroom does not have';
    default:
      return `Strongroom has no hardware key support on ${platform}`;
  }
}

/**
 * Which kind of key a new device gets. Forced `tpm` where no TPM is usable is an error, never a
 * silent software key; so is an explicitly configured TCTI that does not work. Only `auto` with
 * nothing configured falls back to software, and reports why.
 */
export async function selectDeviceKeyKind(
  settings: DeviceKeySettings,
  probe: (tcti: string) => Promise<void> = probeTpm,
): Promise<DeviceKeySelection> {
  if (settings.choice === 'software') return { kind: 'software', reason: 'STRONGROOM_DEVICE_KEY=software' };
  const noHardware = noHardwareReason(settings.platform);
  if (noHardware !== undefined) {
    if (settings.choice === 'tpm')
      throw new StrongroomError('device_key_unavailable', `STRONGROOM_DEVICE_KEY=tpm: ${noHardware}.`, {
        hint: 'Unset STRONGROOM_DEVICE_KEY (or set it to software) on this machine.',
      });
    return { kind: 'software', reason: noHardware };
  }
  const tcti = settings.tcti ?? DEFAULT_TCTI;
  try {
    await probe(tcti);
    return { kind: 'tpm', tcti };
  } catch (error) {
    if (settings.choice === 'tpm' || settings.tcti !== undefined) throw error;
    return { kind: 'software', reason: error instanceof Error ? error.message : 'no usable TPM' };
  }
}
