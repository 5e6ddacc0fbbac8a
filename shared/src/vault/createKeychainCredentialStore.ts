import type { CredentialStore } from './CredentialStore.js';
import type { SecretBackend } from './SecretBackend.js';
import { VaultCredentialStore } from './VaultCredentialStore.js';
import { classifyKeychainError } from './classifyKeychainError.js';

export const KEYCHAIN_SERVICE = 'strongroom';

export interface KeychainOptions {
  platform: NodeJS.Platform;
  now?: () => number;
  /** Keychain service name; `strongroom` unless a test isolates itself. */
  service?: string;
}

/**
 * The OS keychain (macOS Keychain, Windows Credential Manager, Secret Service on Linux) through
 * `@napi-rs/keyring`. On Linux the entry is pinned to the Secret Service: the binding would
 * otherwise fall back to the kernel keyring when D-Bus is missing, and we refuse rather than
 * silently change where secrets live. The native module is imported lazily so commands that
 * never touch the keychain do not pay for it.
 */
export function createKeychainCredentialStore(options: KeychainOptions): CredentialStore {
  const service = options.service ?? KEYCHAIN_SERVICE;
  const { platform } = options;
  let module: Promise<typeof import('@napi-rs/keyring')> | undefined;

  async function entry(account: string): Promise<import('@napi-rs/keyring').AsyncEntry> {
    module ??= import('@napi-rs/keyring');
    const { AsyncEntry } = await module;
    return new AsyncEntry(service, account, { linux: { store: 'secret-service' } });
  }

  async function guarded<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      throw classifyKeychainError(error, platform);
    }
  }

  const backend: SecretBackend = {
    kind: 'keychain',
    read: (account) => guarded(async () => (await (await entry(account)).getPassword()) ?? undefined),
    write: (account, value) => guarded(async () => (await entry(account)).setPassword(value)),
    remove: (account) =>
      guarded(async () => {
        await (await entry(account)).deleteCredential();
      }),
  };
  return new VaultCredentialStore(backend, options.now);
}
