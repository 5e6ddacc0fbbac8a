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
/**
 * One binding entry per account for the life of the process. Each `AsyncEntry` holds its own D-Bus
 * connection until garbage collection; creating one per operation piles up connections until the
 * session bus runs out of file descriptors and every keychain call fails ("no usable keychain").
 * An entry is dropped when its account is deleted (names come and go with grants), so the cache
 * follows what is stored rather than every name ever used.
 */
const entries = new Map<string, import('@napi-rs/keyring').AsyncEntry>();

/**
 * The Secret Service names items by D-Bus object path. When another process (the agent and the
 * CLI both wipe a grant's entries when it ends) deletes or replaces the same item between the
 * binding's search and its call on the item, the call fails with one of these. Nothing is wrong
 * with the keychain: a fresh attempt searches again and sees the item's new state.
 */
const ITEM_CHANGED = /No such interface .*Secret\.Item|Object does not exist at path/;
const MAX_ATTEMPTS = 4;

function itemChangedUnderUs(error: unknown): boolean {
  return error instanceof Error && ITEM_CHANGED.test(error.message);
}

export function createKeychainCredentialStore(options: KeychainOptions): CredentialStore {
  const service = options.service ?? KEYCHAIN_SERVICE;
  const { platform } = options;
  let module: Promise<typeof import('@napi-rs/keyring')> | undefined;
  const binding = (): Promise<typeof import('@napi-rs/keyring')> => (module ??= import('@napi-rs/keyring'));
  const keyOf = (account: string): string => `${service}\u0000${account}`;

  async function entry(account: string): Promise<import('@napi-rs/keyring').AsyncEntry> {
    const key = keyOf(account);
    const cached = entries.get(key);
    if (cached !== undefined) return cached;
    const { AsyncEntry } = await binding();
    const created = new AsyncEntry(service, account, { linux: { store: 'secret-service' } });
    entries.set(key, created);
    return created;
  }

  async function guarded<T>(op: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await op();
      } catch (error) {
        if (attempt < MAX_ATTEMPTS && itemChangedUnderUs(error)) continue;
        throw classifyKeychainError(error, platform);
      }
    }
  }

  const backend: SecretBackend = {
    kind: 'keychain',
    read: (account) => guarded(async () => (await (await entry(account)).getPassword()) ?? undefined),
    write: (account, value) => guarded(async () => (await entry(account)).setPassword(value)),
    remove: (account) =>
      guarded(async () => {
        await (await entry(account)).deleteCredential();
        // Names are not a fixed few: grant-tagged entries get new names with every grant, and the
        // agent runs for days. A deleted name's entry is let go, so its D-Bus connection closes.
        entries.delete(keyOf(account));
      }),
    accounts: (prefix) =>
      guarded(async () => {
        const found = await (await binding()).findCredentialsAsync(service);
        return found.map((c) => c.account).filter((a) => a.startsWith(prefix));
      }),
  };
  return new VaultCredentialStore(backend, options.now);
}
