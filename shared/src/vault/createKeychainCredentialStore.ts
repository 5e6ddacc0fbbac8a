import type { CredentialStore } from './CredentialStore.js';
import type { SecretBackend } from './SecretBackend.js';
import { VaultCredentialStore } from './VaultCredentialStore.js';
import {
  classifyKeychainError,
  transientKeychainFailure,
  type TransientKeychainFailure,
} from './classifyKeychainError.js';

export const KEYCHAIN_SERVICE = 'strongroom';

export interface KeychainOptions {
  platform: NodeJS.Platform;
  now?: () => number;
  /** Keychain service name; `strongroom` unless a test isolates itself. */
  service?: string;
  /**
   * Told about each failed attempt that will be made again (the error from the binding, and which
   * attempt failed, from 1). For tests and diagnostics; the messages carry no secrets.
   */
  onRetry?: (error: unknown, attempt: number) => void;
  /** How long one keychain search may wait for the daemon (default 10 s); see `accounts` below. */
  searchTimeoutMs?: number;
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
 * Attempts per operation when the keychain fails for a reason that says nothing is wrong with it
 * (see `transientKeychainFailure`), and the pause before each new attempt (randomised by ±50% so
 * processes that collided do not collide again in step):
 * - an item changed under us: up to 6 attempts with short pauses (20 ms doubling to 400 ms, under
 *   0.8 s in all) to let a burst of deletes by another process (a grant's entries wiped at once)
 *   pass; the next search sees the items' new state. A search reads every item it found, so under
 *   steady churn it needs more tries than a call on one item.
 * - a daemon that did not answer in time: up to 4 attempts, longer pauses (0.25, 0.5, 1 s). Each
 *   call waits up to the binding's 2 s for a reply, so a daemon that never answers is given up on
 *   after about 10 s and reported as unavailable, as before. (The search goes through another D-Bus
 *   library that sets no reply timeout: it waits for a stopped daemon as long as it takes.)
 * Anything else (no D-Bus, no Secret Service, locked) refuses on the first attempt, without waiting.
 */
const PAUSE_MS: Record<TransientKeychainFailure, readonly number[]> = {
  item_changed: [20, 50, 100, 200, 400],
  no_reply: [250, 500, 1000],
};

/** One keychain search's bound (it lists and decrypts every item of the service: allow for load). */
const SEARCH_TIMEOUT_MS = 10_000;

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

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
        const transient = transientKeychainFailure(error);
        const wait = transient === undefined ? undefined : PAUSE_MS[transient][attempt - 1];
        if (wait === undefined) throw classifyKeychainError(error, platform);
        options.onRetry?.(error, attempt);
        await pause(wait * (0.5 + Math.random()));
      }
    }
  }

  /**
   * The binding bounds each get, set and delete by a 2 s D-Bus reply timeout, but not a search:
   * against a daemon that stopped answering it waited forever, and the agent (or the extension
   * host's first state) with it; its AbortSignal does not end the native call either. Bounded here:
   * the caller gets the usual refusal. Not retried: the native search may still be waiting on one of
   * the process's worker threads, and each retry would hold another.
   */
  const withinSearchTimeout = async <T>(search: Promise<T>): Promise<T> => {
    const timeoutMs = options.searchTimeoutMs ?? SEARCH_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`The keychain daemon did not answer a search within ${String(timeoutMs)} ms.`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([search, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  };

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
        const found = await withinSearchTimeout((await binding()).findCredentialsAsync(service));
        return found.map((c) => c.account).filter((a) => a.startsWith(prefix));
      }),
  };
  return new VaultCredentialStore(backend, options.now);
}
