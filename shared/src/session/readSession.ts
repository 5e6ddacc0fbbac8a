import type { CredentialStore } from '../vault/CredentialStore.js';
import { parseSessionSummary, type SessionSummary } from './SessionSummary.js';
import { SESSION_ENTRY } from './sessionEntries.js';

/** The profile's session summary, or undefined when signed out (or the session has ended). */
export async function readSession(
  store: CredentialStore,
  profile: string,
): Promise<SessionSummary | undefined> {
  const raw = await store.get(profile, SESSION_ENTRY);
  if (raw === undefined) {
    // No (or an expired) session: whatever else the profile holds is orphaned; delete it. Unless a
    // sign-in in another process wrote its summary meanwhile (storeSession writes it first): look
    // again right before deleting, so a concurrent login is not wiped.
    if ((await store.list(profile)).length > 0 && (await store.get(profile, SESSION_ENTRY)) === undefined)
      await store.clearProfile(profile);
    return undefined;
  }
  const summary = parseSessionSummary(raw);
  if (summary === undefined) await store.clearProfile(profile);
  return summary;
}
