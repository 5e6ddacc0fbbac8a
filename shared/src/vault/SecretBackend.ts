/**
 * The raw key/value layer under a `CredentialStore`: one string per account name, nothing else.
 * The keychain and memory backends implement it; `VaultCredentialStore` adds expiry and the index.
 */
export interface SecretBackend {
  readonly kind: 'keychain' | 'memory';
  read(account: string): Promise<string | undefined>;
  write(account: string, value: string): Promise<void>;
  remove(account: string): Promise<void>;
}
