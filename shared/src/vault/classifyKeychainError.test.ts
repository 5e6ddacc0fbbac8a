import { describe, expect, it } from 'vitest';
import { classifyKeychainError, transientKeychainFailure } from './classifyKeychainError.js';

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

/**
 * The raw `@napi-rs/keyring` messages recorded against the real gnome-keyring (Linux): several
 * processes doing concurrent set/get/delete/search on the same accounts at load 10-15 on two cores,
 * the daemon stopped (SIGSTOP) for 1-10 s or killed mid-call, no session bus, a bus with no keyring.
 */
const NO_REPLY =
  'Platform failure: DBus error: Did not receive a reply. Possible causes include: the remote application did not send a reply, the message bus security policy blocked the reply, the reply timeout expired, or the network connection was broken.';

describe('transientKeychainFailure', () => {
  it.each([
    // Another process deleted or replaced the item between search and call (entry calls, then search).
    'Platform failure: DBus error: No such interface “org.freedesktop.Secret.Item” on object at path /org/freedesktop/secrets/collection/login/30',
    'Platform failure: DBus error: Object does not exist at path “/org/freedesktop/secrets/collection/login/151”',
    'zbus error: org.freedesktop.DBus.Error.UnknownMethod: Object does not exist at path “/org/freedesktop/secrets/collection/login/10”',
    'zbus error: org.freedesktop.DBus.Error.UnknownMethod: No such interface “org.freedesktop.Secret.Item” on object at path /org/freedesktop/secrets/collection/login/30',
    'zbus fdo error: org.freedesktop.DBus.Error.UnknownMethod: No such interface “org.freedesktop.DBus.Properties” on object at path /org/freedesktop/secrets/collection/login/28',
    'zbus fdo error: org.freedesktop.DBus.Error.UnknownMethod: Object does not exist at path “/org/freedesktop/secrets/collection/login/790”',
  ])('"%s" is an item changed under us', (message) => {
    expect(transientKeychainFailure(new Error(message))).toBe('item_changed');
  });

  it.each([
    // gnome-keyring stopped or starved past the binding's 2 s reply timeout.
    NO_REPLY,
    // gnome-keyring killed while a call was waiting for it.
    'Platform failure: DBus error: Message recipient disconnected from message bus without replying',
    'zbus error: org.freedesktop.DBus.Error.NoReply: Message recipient disconnected from message bus without replying',
    'zbus error: org.freedesktop.DBus.Error.Timeout: Connection timed out',
  ])('"%s" is a daemon that did not answer in time', (message) => {
    expect(transientKeychainFailure(new Error(message))).toBe('no_reply');
  });

  it.each([
    // No session bus at all.
    [
      'Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time, set your DBUS_SESSION_BUS_ADDRESS instead',
      'keychain_unavailable',
    ],
    [
      'zbus error: Failed to connect to address `unix:path=/run/user/0/bus`: No such file or directory (os error 2)',
      'keychain_unavailable',
    ],
    [
      'Platform failure: DBus error: Failed to connect to socket /tmp/nonexistent-bus: No such file or directory',
      'keychain_unavailable',
    ],
    ['Platform failure: No DBus session or Secret Service provider found', 'keychain_unavailable'],
    // A bus, but no Secret Service on it, or one with no keyring (gnome-keyring activated, never unlocked).
    [
      'Platform failure: DBus error: The name org.freedesktop.secrets was not provided by any .service files',
      'keychain_unavailable',
    ],
    ["Couldn't access platform storage: Secret Service: no result found", 'keychain_unavailable'],
    // Locked.
    ['Secret Service: unlock prompt was dismissed', 'keychain_locked'],
    ['Platform failure: Secret Service: object locked', 'keychain_locked'],
    ['Platform failure: DBus error: Cannot get secret of a locked object', 'keychain_locked'],
    // An object path other than an item's does not make a missing interface transient.
    [
      'zbus fdo error: org.freedesktop.DBus.Error.UnknownMethod: No such interface “org.freedesktop.DBus.Properties” on object at path /org/freedesktop/secrets',
      'keychain_unavailable',
    ],
  ] as const)('"%s" is not retried: it is %s at once', (message, code) => {
    expect(transientKeychainFailure(new Error(message))).toBeUndefined();
    expect(classifyKeychainError(new Error(message), 'linux').code).toBe(code);
  });

  it('a daemon that never answers is still reported as unavailable once the retries are spent', () => {
    expect(classifyKeychainError(new Error(NO_REPLY), 'linux').code).toBe('keychain_unavailable');
    expect(transientKeychainFailure('not an Error')).toBeUndefined();
  });
});
