/**
 * Single use of DPoP proof `jti`s (RFC 9449 §11.1) within one service process: each id is kept
 * until its proof could no longer pass the `iat` window, then forgotten. Several instances of a
 * service behind a load balancer each keep their own; a proof replayed to another instance inside
 * the window is caught only by a shared cache (pass one in `createServiceTokenVerifier`).
 */
export interface ReplayCache {
  /** True the first time `key` is seen before `expiresAt` (epoch ms); false for a replay. */
  firstUse(key: string, expiresAt: number, now: number): boolean | Promise<boolean>;
}

export function createMemoryReplayCache(maxEntries = 100_000): ReplayCache {
  const seen = new Map<string, number>();
  return {
    firstUse(key, expiresAt, now) {
      if (seen.size >= maxEntries) {
        for (const [k, exp] of seen) if (exp <= now) seen.delete(k);
      }
      const known = seen.get(key);
      if (known !== undefined && known > now) return false;
      // Full of live entries: refuse rather than forget one (forgetting would allow a replay).
      if (seen.size >= maxEntries) return false;
      seen.set(key, expiresAt);
      return true;
    },
  };
}
