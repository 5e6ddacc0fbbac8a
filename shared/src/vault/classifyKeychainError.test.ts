import { describe, expect, it } from 'vitest';
import { classifyKeychainError } from './classifyKeychainError.js';

describe('classifyKeychainError', () => {
  it.each([
    [
      'linux',
      'Secret Service: unlock prompt was dismissed',
      'keychain_locked',
      /gnome-keyring-daemon --unlock/,
    ],
    [
      'linux',
      'DBus error: Using X11 for dbus-daemon autolaunch was disabled',
      'keychain_unavailable',
      /dbus-run-session/,
    ],
    ['darwin', 'User interaction is not allowed.', 'keychain_locked', /security unlock-keychain/],
    ['darwin', 'The specified keychain could not be found.', 'keychain_unavailable', /login keychain/],
    ['win32', 'Windows Credential Manager is not available', 'keychain_unavailable', /Credential Manager/],
  ] as const)('%s: "%s" is %s with how to fix it', (platform, message, code, hint) => {
    const error = classifyKeychainError(new Error(message), platform);
    expect(error.code).toBe(code);
    expect(error.hint).toMatch(hint);
    expect(error.message).not.toContain(message); // the user gets our words; the cause keeps theirs
    expect((error.cause as Error).message).toBe(message);
  });
});
