import { z } from 'zod';
import { StrongroomError } from '../errors/StrongroomError.js';
import { parseTcti } from './tpm/tpmTcti.js';

/** `auto`: hardware when this machine has usable hardware, else software (honestly reported). */
export type DeviceKeyChoice = 'auto' | 'tpm' | 'software';

export interface DeviceKeySettings {
  readonly platform: NodeJS.Platform;
  readonly choice: DeviceKeyChoice;
  /** Where the TPM is (tpm2-tools TCTI); undefined: the kernel's /dev/tpmrm0. */
  readonly tcti: string | undefined;
}

const envSchema = z.object({
  STRONGROOM_DEVICE_KEY: z.enum(['auto', 'tpm', 'software']).default('auto'),
  TPM2TOOLS_TCTI: z.string().min(1).optional(),
});

/**
 * Device-key settings from the environment: `STRONGROOM_DEVICE_KEY=auto|tpm|software` and
 * tpm2-tools' own `TPM2TOOLS_TCTI`. A bad value is refused, never read as "auto".
 */
export function deviceKeySettingsFrom(
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform,
): DeviceKeySettings {
  const parsed = envSchema.safeParse({
    STRONGROOM_DEVICE_KEY: env['STRONGROOM_DEVICE_KEY'] || undefined,
    TPM2TOOLS_TCTI: env['TPM2TOOLS_TCTI'] || undefined,
  });
  if (!parsed.success)
    throw new StrongroomError('config_invalid', 'STRONGROOM_DEVICE_KEY must be auto, tpm or software.', {
      hint: 'Unset it to let Strongroom choose.',
    });
  const tcti = parsed.data.TPM2TOOLS_TCTI;
  return Object.freeze({
    platform,
    choice: parsed.data.STRONGROOM_DEVICE_KEY,
    tcti: tcti === undefined ? undefined : parseTcti(tcti),
  });
}

let fromProcess: DeviceKeySettings | undefined;

/** This process's settings, parsed once. */
export function processDeviceKeySettings(): DeviceKeySettings {
  return (fromProcess ??= deviceKeySettingsFrom(process.env, process.platform));
}
