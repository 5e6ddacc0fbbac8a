import type { PostureCheck } from './PostureCheck.js';
import { failed, passed, unknown } from './PostureFinding.js';
import { describeExecFailure, firstLine } from './describeExecFailure.js';

const expected = 'FileVault is On for the startup volume that holds the home directory';
const fix = 'Turn on FileVault: System Settings → Privacy & Security → FileVault.';

export const checkDiskEncryptionDarwin: PostureCheck = {
  id: 'disk_encryption',
  async run(context) {
    const home = context.host.homeDir;
    // fdesetup speaks for the startup volume group only; a home on an external volume is not covered.
    if (home.startsWith('/Volumes/')) {
      return unknown(`${home} is on an external volume, which fdesetup status does not cover`, expected, fix);
    }
    const result = await context.host.exec('fdesetup', ['status'], {
      timeoutMs: context.options.checkTimeoutMs,
    });
    const failure = describeExecFailure('fdesetup status', result);
    if (failure) return unknown(failure, expected, fix);
    const text = result.stdout.trim();
    const progress = /(Encryption|Decryption) in progress: Percent completed = ([\d.]+)/.exec(text);
    if (progress)
      return failed(
        `FileVault ${progress[1]?.toLowerCase()} in progress (${progress[2]}%)`,
        expected,
        'Keep the Mac on power until FileVault finishes encrypting.',
      );
    const status = firstLine(text);
    if (/^FileVault is On\.$/.test(status)) return passed(status, expected);
    if (/^FileVault is Off\b/.test(status)) return failed(status, expected, fix);
    return unknown(`fdesetup status: output not understood: "${status}"`, expected, fix);
  },
};
