import type { Store } from '../store/Store.js';

/** Server-side, single-use WebAuthn challenges (WebAuthn L3 §13.4.3: challenges must not be reused). */
export interface ChallengeStore {
  put(key: string, value: StoredChallenge, ttlSeconds: number): Promise<void>;
  /** Returns and deletes the challenge; undefined when missing, expired or already taken. */
  take(key: string): Promise<StoredChallenge | undefined>;
}

export interface StoredChallenge {
  challenge: string;
  /** For registration: the user id the new credential is created for. */
  userId?: string;
}

// Kept in the store's oidc-provider table under its own model name, so every broker instance
// sees them and the expiry sweep removes stale ones.
const MODEL = 'WebAuthnChallenge';

export function makeChallengeStore(store: Store, now: () => number): ChallengeStore {
  return {
    async put(key, value, ttlSeconds) {
      await store.oidcUpsert({
        model: MODEL,
        id: key,
        payload: { ...value },
        expiresAt: now() + ttlSeconds * 1000,
        grantId: null,
        userCode: null,
        uid: null,
        consumedAt: null,
      });
    },
    async take(key) {
      return store.transaction(async (tx) => {
        const found = await tx.oidcFind(MODEL, key);
        if (!found) return undefined;
        await tx.oidcDestroy(MODEL, key);
        if (found.expiresAt !== null && found.expiresAt <= now()) return undefined;
        const { challenge, userId } = found.payload;
        if (typeof challenge !== 'string') return undefined;
        return typeof userId === 'string' ? { challenge, userId } : { challenge };
      });
    },
  };
}
