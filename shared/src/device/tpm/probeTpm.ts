import { StrongroomError } from '../../errors/StrongroomError.js';
import { runTpmSequence } from './runTpm2.js';
import { checkTpmDeviceAccess } from './tpmTcti.js';

/**
 * Whether the TPM at `tcti` can hold this device's key: the device node is ours to open, tpm2-tools
 * is installed, the TPM answers, and it has the NIST P-256 curve. Throws a clear error otherwise.
 */
export async function probeTpm(tcti: string): Promise<void> {
  await checkTpmDeviceAccess(tcti);
  const [curves] = await runTpmSequence(tcti, [{ tool: 'tpm2_getcap', args: ['ecc-curves'] }]);
  if (!curves?.toString().includes('TPM2_ECC_NIST_P256'))
    throw new StrongroomError('device_key_unavailable', `The TPM at ${tcti} has no NIST P-256 curve.`, {
      hint: 'Set STRONGROOM_DEVICE_KEY=software on this machine.',
    });
}
