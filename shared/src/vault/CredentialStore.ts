/**
 * Where the client keeps short-lived secrets (tokens, the device key). One interface, two
 * implementations: the OS keychain (`createKeychainCredentialStore`) and process memory
 * (`createMemoryCredentialStore`, for headless agents and tests). Neither ever writes a file.
 *
 * Every value carries its expiry; an expired value is deleted when read and by `sweep`. Each
 * profile keeps an index of what it stored so `clearProfile` (sign-out) can delete all of it even
 * on keychains that cannot list entries.
 */
export interface CredentialStore {
  readonly kind: 'keychain' | 'memory';
  /** The value, or undefined when absent or expired (an expired value is deleted on the way). */
  get(profile: string, name: string): Promise<string | undefined>;
  /** `expiresAt` in epoch milliseconds, or null for material that lives until deleted (the device key). */
  set(profile: string, name: string, value: string, expiresAt: number | null): Promise<void>;
  delete(profile: string, name: string): Promise<void>;
  /** Names the profile currently holds (expired ones included until swept). */
  list(profile: string): Promise<readonly string[]>;
  /** Deletes every value the profile stored, then its index (sign-out). */
  clearProfile(profile: string): Promise<void>;
  /** Deletes the profile's expired values; returns how many. */
  sweep(profile: string): Promise<number>;
}
