import type { PostureCheck, PostureCheckContext } from './PostureCheck.js';
import { failed, passed, unknown, type PostureFinding } from './PostureFinding.js';
import { describeExecFailure } from './describeExecFailure.js';

const expected = 'booted through UEFI with Secure Boot enabled';
const fix = 'Enable Secure Boot in the UEFI firmware settings (and boot in UEFI mode, not legacy BIOS/CSM).';
// The EFI global variable GUID (UEFI spec 2.10, §3.3 "Globally Defined Variables").
const secureBootVariable = 'SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c';

async function fromEfivars(context: PostureCheckContext): Promise<PostureFinding | string> {
  const { host } = context;
  const efivars = await host.readDir('/sys/firmware/efi/efivars');
  if (efivars.ok) {
    if (!efivars.entries.includes(secureBootVariable)) return 'efivars: no SecureBoot variable';
    const file = await host.readFile(`/sys/firmware/efi/efivars/${secureBootVariable}`);
    if (!file.ok) return `efivars SecureBoot: ${file.detail}`;
    // efivarfs files are 4 bytes of attributes, then the value: one byte, 1 = enabled.
    const value = file.data.length === 5 ? file.data[4] : undefined;
    if (value === 1) return passed('SecureBoot EFI variable = 1 (enabled)', expected);
    if (value === 0) return failed('SecureBoot EFI variable = 0 (disabled)', expected, fix);
    return `efivars SecureBoot: unexpected ${String(file.data.length)}-byte value`;
  }
  // No /sys/firmware/efi on a real sysfs means the kernel was not started by UEFI firmware.
  // Containers hide /sys/firmware (empty or absent), which proves nothing.
  const firmware = await host.readDir('/sys/firmware');
  if (firmware.ok && firmware.entries.length > 0 && !firmware.entries.includes('efi')) {
    return failed(
      `not booted through UEFI (/sys/firmware has ${firmware.entries.join(', ')} but no efi)`,
      expected,
      fix,
    );
  }
  return `efivars: ${efivars.detail}`;
}

export const checkSecureBootLinux: PostureCheck = {
  id: 'secure_boot',
  async run(context) {
    const efi = await fromEfivars(context);
    if (typeof efi !== 'string') return efi;
    const mokutil = await context.host.exec('mokutil', ['--sb-state'], {
      timeoutMs: context.options.checkTimeoutMs,
    });
    const text = `${mokutil.stdout}\n${mokutil.stderr}`;
    const mokFailure = describeExecFailure('mokutil --sb-state', mokutil);
    if (/^SecureBoot enabled$/m.test(text)) {
      // shim can be told to stop verifying what it boots, which defeats the chain of trust.
      if (/SecureBoot validation is disabled in shim/.test(text))
        return failed(
          'SecureBoot enabled, but validation is disabled in shim',
          expected,
          'Re-enable shim validation: `sudo mokutil --enable-validation`, then reboot.',
        );
      return passed('mokutil: SecureBoot enabled', expected);
    }
    if (/^SecureBoot disabled$/m.test(text)) return failed('mokutil: SecureBoot disabled', expected, fix);
    if (/doesn't support Secure Boot/.test(text))
      return failed("mokutil: this system doesn't support Secure Boot", expected, fix);
    return unknown(
      `${efi}; ${mokFailure ?? 'mokutil --sb-state: output not understood'}`,
      expected,
      'Install mokutil, or make /sys/firmware/efi/efivars readable, so Secure Boot can be read.',
    );
  },
};
