import type { PostureCheck } from './PostureCheck.js';
import { postureCheckIds } from './PostureCheckId.js';
import { unknown } from './PostureFinding.js';
import { checkDiskEncryptionDarwin } from './checkDiskEncryption.darwin.js';
import { checkDiskEncryptionLinux } from './checkDiskEncryption.linux.js';
import { checkDiskEncryptionWin32 } from './checkDiskEncryption.win32.js';
import { checkEndpointProtectionDarwin } from './checkEndpointProtection.darwin.js';
import { checkEndpointProtectionLinux } from './checkEndpointProtection.linux.js';
import { checkEndpointProtectionWin32 } from './checkEndpointProtection.win32.js';
import { checkFirewallDarwin } from './checkFirewall.darwin.js';
import { checkFirewallLinux } from './checkFirewall.linux.js';
import { checkFirewallWin32 } from './checkFirewall.win32.js';
import { checkOsUpdatesDarwin } from './checkOsUpdates.darwin.js';
import { checkOsUpdatesLinux } from './checkOsUpdates.linux.js';
import { checkOsUpdatesWin32 } from './checkOsUpdates.win32.js';
import { checkScreenLockDarwin } from './checkScreenLock.darwin.js';
import { checkScreenLockLinux } from './checkScreenLock.linux.js';
import { checkScreenLockWin32 } from './checkScreenLock.win32.js';
import { checkSecureBootDarwin } from './checkSecureBoot.darwin.js';
import { checkSecureBootLinux } from './checkSecureBoot.linux.js';
import { checkSecureBootWin32 } from './checkSecureBoot.win32.js';

const checksByPlatform: Readonly<Record<'linux' | 'darwin' | 'win32', readonly PostureCheck[]>> = {
  linux: [
    checkDiskEncryptionLinux,
    checkFirewallLinux,
    checkOsUpdatesLinux,
    checkScreenLockLinux,
    checkSecureBootLinux,
    checkEndpointProtectionLinux,
  ],
  darwin: [
    checkDiskEncryptionDarwin,
    checkFirewallDarwin,
    checkOsUpdatesDarwin,
    checkScreenLockDarwin,
    checkSecureBootDarwin,
    checkEndpointProtectionDarwin,
  ],
  win32: [
    checkDiskEncryptionWin32,
    checkFirewallWin32,
    checkOsUpdatesWin32,
    checkScreenLockWin32,
    checkSecureBootWin32,
    checkEndpointProtectionWin32,
  ],
};

/**
 * The checks for a platform (a `process.platform` value), in report order. Any other platform gets
 * every check answering `unknown`: a platform we cannot read is not a healthy one.
 */
export function postureChecksFor(platform: string): readonly PostureCheck[] {
  if (platform === 'linux' || platform === 'darwin' || platform === 'win32')
    return checksByPlatform[platform];
  return postureCheckIds.map((id) => ({
    id,
    run: () =>
      Promise.resolve(
        unknown(
          `platform ${platform} has no posture checks`,
          'a supported platform (linux, darwin, win32)',
          'Use Linux, macOS or Windows.',
        ),
      ),
  }));
}
