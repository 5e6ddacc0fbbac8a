import { z } from 'zod';
import type { PostureCheck, PostureCheckContext } from './PostureCheck.js';
import { failed, passed, unknown, type PostureFinding } from './PostureFinding.js';
import { bitLockerShellProtection } from './bitLockerShellProtection.js';
import { describeExecFailure } from './describeExecFailure.js';
import { parseJson } from './parseJson.js';
import { runPowerShell } from './runPowerShell.js';

const expected = 'BitLocker protection is On and the home drive is fully encrypted';
const fix =
  'Turn on BitLocker for the drive that holds your profile: Settings → Privacy & security → Device encryption (or BitLocker).';
const fixAdmin =
  'Run the posture check from an elevated prompt once, or let the tray app (which runs the check as a service) report it.';

// Enum values as names ([string]), so the answer does not depend on the display language.
const bitlockerSchema = z.object({
  MountPoint: z.string(),
  VolumeStatus: z.string(),
  ProtectionStatus: z.string(),
  EncryptionPercentage: z.number(),
});

/** The drive of the home directory (`C:` from `C:\Users\alice`), falling back to %SystemDrive%. */
export function homeDrive(context: PostureCheckContext): string | undefined {
  const fromHome = /^([A-Za-z]:)[\\/]/.exec(context.host.homeDir)?.[1];
  const drive = fromHome ?? context.host.env['HOMEDRIVE'] ?? context.host.env['SystemDrive'];
  return drive && /^[A-Za-z]:$/.test(drive) ? drive.toUpperCase() : undefined;
}

const accessDenied = /0x80070005|E_ACCESSDENIED|access (is )?denied|administrative rights/i;

function judge(
  drive: string,
  volume: { VolumeStatus: string; ProtectionStatus: string; EncryptionPercentage: number },
): PostureFinding {
  const observed = `${drive} ${volume.VolumeStatus}, ${String(volume.EncryptionPercentage)}% encrypted, protection ${volume.ProtectionStatus}`;
  if (volume.VolumeStatus === 'FullyEncrypted' && volume.ProtectionStatus === 'On')
    return passed(observed, expected);
  if (volume.ProtectionStatus === 'Off' && volume.VolumeStatus === 'FullyEncrypted') {
    // Suspended protection leaves the volume key in the clear on disk.
    return failed(
      `${observed} (suspended)`,
      expected,
      'Resume BitLocker protection: `Resume-BitLocker -MountPoint C:` (elevated).',
    );
  }
  if (
    [
      'FullyDecrypted',
      'EncryptionInProgress',
      'DecryptionInProgress',
      'EncryptionPaused',
      'DecryptionPaused',
    ].includes(volume.VolumeStatus) ||
    volume.ProtectionStatus === 'Off'
  ) {
    return failed(observed, expected, fix);
  }
  return unknown(`${observed}: status not understood`, expected, fix);
}

/** manage-bde's console text is translated; only the English wording is read, anything else is unknown. */
function judgeManageBde(drive: string, text: string): PostureFinding {
  const conversion = /^\s*Conversion Status:\s*(.+?)\s*$/m.exec(text)?.[1];
  const protection = /^\s*Protection Status:\s*(.+?)\s*$/m.exec(text)?.[1];
  const percentage = /^\s*Percentage Encrypted:\s*([\d.,]+)\s*%/m.exec(text)?.[1];
  if (!conversion || !protection) {
    return unknown(`manage-bde -status ${drive}: output not understood (not English?)`, expected, fixAdmin);
  }
  const volumeStatus = {
    'Fully Encrypted': 'FullyEncrypted',
    'Fully Decrypted': 'FullyDecrypted',
    'Encryption in Progress': 'EncryptionInProgress',
    'Decryption in Progress': 'DecryptionInProgress',
    'Encryption Paused': 'EncryptionPaused',
    'Decryption Paused': 'DecryptionPaused',
  }[conversion];
  const protectionStatus = { 'Protection On': 'On', 'Protection Off': 'Off' }[protection];
  if (!volumeStatus || !protectionStatus) {
    return unknown(
      `manage-bde -status ${drive}: "${conversion}", "${protection}" not understood`,
      expected,
      fix,
    );
  }
  return judge(drive, {
    VolumeStatus: volumeStatus,
    ProtectionStatus: protectionStatus,
    EncryptionPercentage: Number((percentage ?? '0').replace(',', '.')),
  });
}

export const checkDiskEncryptionWin32: PostureCheck = {
  id: 'disk_encryption',
  async run(context) {
    const drive = homeDrive(context);
    if (!drive)
      return unknown(`home directory ${context.host.homeDir} is not on a drive letter`, expected, fix);
    const timeoutMs = context.options.checkTimeoutMs;
    const script =
      `Get-BitLockerVolume -MountPoint '${drive}' -ErrorAction Stop | Select-Object MountPoint,` +
      "@{n='VolumeStatus';e={[string]$_.VolumeStatus}},@{n='ProtectionStatus';e={[string]$_.ProtectionStatus}},EncryptionPercentage" +
      ' | ConvertTo-Json';
    const ps = await runPowerShell(context.host, script, timeoutMs);
    const psFailure = describeExecFailure('Get-BitLockerVolume', ps);
    if (!psFailure) {
      const volume = parseJson(bitlockerSchema, ps.stdout);
      return volume
        ? judge(drive, volume)
        : unknown('Get-BitLockerVolume: output not understood', expected, fix);
    }
    // Get-BitLockerVolume needs elevation (and is missing on Home editions): ask Explorer's property,
    // which a standard user may read, then manage-bde.
    const shell = await bitLockerShellProtection(context, drive, expected, fix);
    if (typeof shell !== 'string') return shell;
    const bde = await context.host.exec('manage-bde', ['-status', drive], { timeoutMs });
    const bdeFailure = describeExecFailure(`manage-bde -status ${drive}`, bde);
    if (bdeFailure) {
      const denied = accessDenied.test(ps.stderr) || accessDenied.test(bde.stdout + bde.stderr);
      return unknown(`${psFailure}; ${shell}; ${bdeFailure}`, expected, denied ? fixAdmin : fix);
    }
    return judgeManageBde(drive, bde.stdout);
  },
};
