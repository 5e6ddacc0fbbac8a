import type { CredentialStore } from '../vault/CredentialStore.js';
import type { SessionSummary } from './SessionSummary.js';
import { ACCESS_TOKEN_ENTRY, REFRESH_TOKEN_ENTRY, SESSION_ENTRY } from './sessionEntries.js';

export interface SessionTokens {
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
}

/**
 * Writes a session to the vault, each entry with its own expiry. All or nothing: if any write fails
 * (keychain locked mid-way), everything the profile stored is deleted so no partial secret remains.
 */
export async function storeSession(
  store: CredentialStore,
  profile: string,
  tokens: SessionTokens,
  summary: SessionSummary,
): Promise<void> {
  try {
    // The summary goes first: another process reading the profile in between (readSession) sees a
    // session and leaves the entries alone, instead of taking fresh tokens for orphans of an ended
    // session and deleting them.
    await store.set(profile, SESSION_ENTRY, JSON.stringify(summary), summary.sessionExpiresAt);
    await store.set(profile, ACCESS_TOKEN_ENTRY, tokens.accessToken, summary.accessTokenExpiresAt);
    if (tokens.refreshToken !== undefined) {
      await store.set(profile, REFRESH_TOKEN_ENTRY, tokens.refreshToken, summary.sessionExpiresAt);
    } else {
      await store.delete(profile, REFRESH_TOKEN_ENTRY);
    }
  } catch (error) {
    await store.clearProfile(profile).catch(() => undefined);
    throw error;
  }
}
