import { createHash } from 'node:crypto';
import type { CredentialStore } from '../vault/CredentialStore.js';
import { grantCredentialEntry, isAnyGrantCredentialEntry } from '../vault/grantCredentialEntries.js';
import type { ServiceToken } from './ServiceToken.js';

/**
 * Vault entries of service tokens follow the grant-credential convention (vault/grantCredentialEntries):
 * `g.<grant>.svc<digest of what was asked for>`, so whoever sees the grant end (the agent, `strongroom
 * drop`) wipes them with everything else issued under it, without knowing this module.
 */
const KIND = 'svc';
/** Fetch a new one this long before expiry (a git clone or kubectl call must not start on a dying token)… */
const REFRESH_BEFORE_MS = 60_000;

interface CachedServiceToken extends ServiceToken {
  readonly v: 1;
  /** What the caller asked for (service id or audience): the entry's key. */
  readonly asked: string;
  readonly refreshAt: number;
}

/** Audiences are URLs; vault names are short and plain, so the entry names a digest. */
function suffixOf(asked: string): string {
  return `${KIND}${createHash('sha256').update(asked).digest('hex').slice(0, 22)}`;
}

/** The profile's vault entries holding a token for `asked` (normally one; one per grant at most). */
async function entriesFor(store: CredentialStore, profile: string, asked: string): Promise<string[]> {
  const suffix = `.${suffixOf(asked)}`;
  return (await store.list(profile)).filter((n) => isAnyGrantCredentialEntry(n) && n.endsWith(suffix));
}

/** …but never before half its life has passed, so a short token is still worth caching. */
export function serviceTokenRefreshAt(fetchedAt: number, expiresAt: number): number {
  return Math.max(expiresAt - REFRESH_BEFORE_MS, fetchedAt + (expiresAt - fetchedAt) / 2);
}

function decode(raw: string, asked: string): CachedServiceToken | undefined {
  try {
    const c = JSON.parse(raw) as Partial<CachedServiceToken> | null;
    if (c?.v !== 1 || c.asked !== asked) return undefined;
    if (typeof c.token !== 'string' || typeof c.audience !== 'string' || typeof c.grantId !== 'string')
      return undefined;
    if (c.tokenType !== 'DPoP' && c.tokenType !== 'Bearer') return undefined;
    if (typeof c.expiresAt !== 'number' || typeof c.refreshAt !== 'number') return undefined;
    return c as CachedServiceToken;
  } catch {
    return undefined;
  }
}

/** The cached token for `asked` while it is fresh (before its refresh time); undefined otherwise. */
export async function readCachedServiceToken(
  store: CredentialStore,
  profile: string,
  asked: string,
  now: number,
): Promise<ServiceToken | undefined> {
  for (const name of await entriesFor(store, profile, asked)) {
    const raw = await store.get(profile, name);
    const cached = raw === undefined ? undefined : decode(raw, asked);
    if (cached === undefined || now >= cached.refreshAt) continue;
    const { token, tokenType, audience, expiresAt, grantId } = cached;
    return { token, tokenType, audience, expiresAt, grantId };
  }
  return undefined;
}

/** Keeps the token in the keychain until it expires (the vault deletes it then), under its grant. */
export async function cacheServiceToken(
  store: CredentialStore,
  profile: string,
  asked: string,
  token: ServiceToken,
  now: number,
): Promise<void> {
  if (token.expiresAt <= now) return;
  // One token per service: one issued under another grant is replaced.
  await eraseServiceToken(store, profile, asked);
  const entry: CachedServiceToken = {
    v: 1,
    asked,
    ...token,
    refreshAt: serviceTokenRefreshAt(now, token.expiresAt),
  };
  await store.set(
    profile,
    grantCredentialEntry(token.grantId, suffixOf(asked)),
    JSON.stringify(entry),
    token.expiresAt,
  );
}

/** Deletes the cached token for `asked` (git's `erase`, a refusal from the broker). */
export async function eraseServiceToken(
  store: CredentialStore,
  profile: string,
  asked: string,
): Promise<void> {
  for (const name of await entriesFor(store, profile, asked)) await store.delete(profile, name);
}
