import type { PostureCheck } from './PostureCheck.js';
import { failed, passed, unknown } from './PostureFinding.js';
import { describeExecFailure, firstLine } from './describeExecFailure.js';
import { runPowerShell } from './runPowerShell.js';

const expected = 'booted through UEFI with Secure Boot enabled';
const fix = 'Enable Secure Boot in the UEFI firmware settings (and boot in UEFI mode, not legacy BIOS/CSM).';

export const checkSecureBootWin32: PostureCheck = {
  id: 'secure_boot',
  async run(context) {
    const timeoutMs = context.options.checkTimeoutMs;
    const confirm = await runPowerShell(context.host, 'Confirm-SecureBootUEFI', timeoutMs);
    const answer = firstLine(confirm.stdout);
    if (confirm.exitCode === 0 && answer === 'True') return passed('Confirm-SecureBootUEFI: True', expected);
    if (confirm.exitCode === 0 && answer === 'False')
      return failed('Confirm-SecureBootUEFI: False', expected, fix);
    // STATUS_NOT_IMPLEMENTED: the firmware is legacy BIOS, which has no Secure Boot at all.
    if (/0xC0000002/i.test(confirm.stderr))
      return failed('Confirm-SecureBootUEFI: not supported on this platform (legacy BIOS)', expected, fix);

    // Confirm-SecureBootUEFI needs elevation; the state Windows recorded at boot is readable by users.
    const registry = await runPowerShell(
      context.host,
      "Get-ItemPropertyValue -Path 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecureBoot\\State' -Name UEFISecureBootEnabled",
      timeoutMs,
    );
    const value = firstLine(registry.stdout);
    if (registry.exitCode === 0 && value === '1') return passed('UEFISecureBootEnabled = 1', expected);
    if (registry.exitCode === 0 && value === '0') return failed('UEFISecureBootEnabled = 0', expected, fix);
    const why = [
      describeExecFailure('Confirm-SecureBootUEFI', confirm) ?? `Confirm-SecureBootUEFI: "${answer}"`,
      describeExecFailure('UEFISecureBootEnabled', registry) ?? `UEFISecureBootEnabled: "${value}"`,
    ];
    return unknown(why.join('; '), expected, fix);
  },
};
