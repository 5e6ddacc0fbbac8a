/**
 * How to fix a missing or locked keychain, per platform. Shown to the user verbatim, so it names
 * real commands. Linux assumes the freedesktop Secret Service (gnome-keyring, KWallet).
 */
export function keychainHint(platform: NodeJS.Platform, problem: 'unavailable' | 'locked'): string {
  switch (platform) {
    case 'darwin':
      return problem === 'locked'
        ? 'Unlock your login keychain (Keychain Access, or `security unlock-keychain login.keychain-db`) and try again.'
        : 'Strongroom needs the macOS login keychain; sign in to a desktop session and try again.';
    case 'win32':
      return 'Strongroom needs Windows Credential Manager; sign in interactively to your Windows account and try again.';
    default:
      return problem === 'locked'
        ? 'Unlock your login keyring: sign in to your desktop session, or run ' +
            '`gnome-keyring-daemon --unlock --components=secrets` (it reads the keyring password from stdin).'
        : 'Start a Secret Service keyring in a D-Bus session, e.g. `dbus-run-session -- bash`, then ' +
            '`eval "$(gnome-keyring-daemon --unlock --components=secrets)"` (reads the password from stdin), ' +
            'and run the command again in that shell. Strongroom never falls back to storing secrets in files.';
  }
}
