import { access, constants } from 'node:fs/promises';
import { StrongroomError } from '../../errors/StrongroomError.js';

/** The kernel's resource-managed TPM device: it flushes what a closed connection left loaded. */
export const DEFAULT_TCTI = 'device:/dev/tpmrm0';

/**
 * A tpm2-tools TCTI string (`device:/dev/tpmrm0`, `tabrmd`, `swtpm:host=…,port=…`, `mssim:…`).
 * Only known TCTI names and a plain option string: it goes into the child's environment, never a
 * shell, but a typo should fail here with a clear message, not as a cryptic tpm2-tools error.
 */
export function parseTcti(value: string): string {
  if (!/^(device|tabrmd|swtpm|mssim|libtpms)(:[A-Za-z0-9_.,=/:@-]{0,200})?$/.test(value))
    throw new StrongroomError(
      'config_invalid',
      `"${value.slice(0, 80)}" is not a TPM TCTI this client accepts.`,
      {
        hint: 'Set TPM2TOOLS_TCTI to e.g. device:/dev/tpmrm0, tabrmd, or swtpm:host=127.0.0.1,port=2321 (or unset it).',
      },
    );
  return value;
}

/** The device node of a `device:` TCTI (tpm2-tools' own default is /dev/tpmrm0, then /dev/tpm0). */
export function tctiDevicePath(tcti: string): string | undefined {
  if (tcti === 'device') return '/dev/tpmrm0';
  return tcti.startsWith('device:') ? tcti.slice('device:'.length).split(',')[0] : undefined;
}

/**
 * Whether this user may open the TPM device node; a clear error for each reason it cannot.
 * Other TCTIs (a daemon or a simulator on a socket) are only known usable by talking to them.
 */
export async function checkTpmDeviceAccess(tcti: string): Promise<void> {
  const path = tctiDevicePath(tcti);
  if (path === undefined) return;
  try {
    await access(path, constants.R_OK | constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new StrongroomError(
      'device_key_unavailable',
      code === 'ENOENT'
        ? `This machine has no TPM device at ${path}.`
        : `This user may not use the TPM at ${path} (${code ?? 'no access'}).`,
      {
        cause: error,
        hint:
          code === 'ENOENT'
            ? 'Enable the TPM in the firmware settings, or set STRONGROOM_DEVICE_KEY=software.'
            : 'Add yourself to the tss group (`sudo usermod -aG tss $USER`, then sign in again), or set STRONGROOM_DEVICE_KEY=software.',
      },
    );
  }
}
