/**
 * The raw key/value layer under a `CredentialStore`: one string per account name, nothing else.
 * The keychain and memory backends implement it; `VaultCredentialStore` adds expiry and names.
 */
export interface SecretBackend {
  readonly kind: 'keychain' | 'memory';
  read(account: string): Promise<string | undefined>;
  write(account: string, value: string): Promise<void>;
  remove(account: string): Promise<void>;
  /**
   * Every account this backend holds that starts with `prefix`, read from the store itself (the
   * keychain's own search), so what it returns cannot drift from what is really stored.
   */
  accounts(prefix: string): Promise<string[]>;
}
