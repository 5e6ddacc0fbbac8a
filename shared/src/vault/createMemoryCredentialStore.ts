import type { CredentialStore } from './CredentialStore.js';
import type { SecretBackend } from './SecretBackend.js';
import { VaultCredentialStore } from './VaultCredentialStore.js';

/** Process memory only: for headless agents and tests. Gone when the process exits. */
export function createMemoryCredentialStore(now: () => number = Date.now): CredentialStore {
  const entries = new Map<string, string>();
  const backend: SecretBackend = {
    kind: 'memory',
    read: (account) => Promise.resolve(entries.get(account)),
    write: (account, value) => {
      entries.set(account, value);
      return Promise.resolve();
    },
    remove: (account) => {
      entries.delete(account);
      return Promise.resolve();
    },
    accounts: (prefix) => Promise.resolve([...entries.keys()].filter((a) => a.startsWith(prefix))),
  };
  return new VaultCredentialStore(backend, now);
}
