import { createHash } from 'node:crypto';
import type { CredentialStore } from '../vault/CredentialStore.js';
import type { ServiceToken } from './ServiceToken.js';

/** Vault entries of service tokens: `svc.<digest of what was asked for>` per profile. */
const PREFIX = 'svc.';
/** Fetch a new one this long before expiry (a git clone or kubectl call must not start on a dying token)… */
const REFRESH_BEFORE_MS = 60_000;

interface CachedServiceToken extends ServiceToken {
  readonly v: 1;
  /** What the caller asked for (service id or audience): the entry's key. */
  readonly asked: string;
  readonly refreshAt: number;
}

/** Audiences are URLs; vault names are short and plain, so the entry name is a digest. */
export function serviceTokenEntryName(asked: string): string {
  return `${PREFIX}${createHash('sha256').update(asked).digest('hex').slice(0, 32)}`;
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
  const raw = await store.get(profile, serviceTokenEntryName(asked));
  const cached = raw === undefined ? undefined : decode(raw, asked);
  if (cached === undefined || now >= cached.refreshAt) return undefined;
  const { token, tokenType, audience, expiresAt, grantId } = cached;
  return { token, tokenType, audience, expiresAt, grantId };
}

/** Keeps the token in the keychain until it expires (the vault deletes it then), tagged with its grant. */
export async function cacheServiceToken(
  store: CredentialStore,
  profile: string,
  asked: string,
  token: ServiceToken,
  now: number,
): Promise<void> {
  if (token.expiresAt <= now) return;
  const entry: CachedServiceToken = {
    v: 1,
    asked,
    ...token,
    refreshAt: serviceTokenRefreshAt(now, token.expiresAt),
  };
  await store.set(profile, serviceTokenEntryName(asked), JSON.stringify(entry), token.expiresAt);
}

/** Deletes the cached token for `asked` (git's `erase`, a refusal from the broker). */
export async function eraseServiceToken(
  store: CredentialStore,
  profile: string,
  asked: string,
): Promise<void> {
  await store.delete(profile, serviceTokenEntryName(asked));
}

/**
 * Deletes the profile's service tokens issued under `grantId` (the grant ended early: dropped,
 * revoked, posture regression, lock), or all of them when `grantId` is undefined. Returns how many.
 */
export async function wipeServiceTokens(
  store: CredentialStore,
  profile: string,
  grantId: string | undefined,
): Promise<number> {
  let wiped = 0;
  for (const name of await store.list(profile)) {
    if (!name.startsWith(PREFIX)) continue;
    const raw = await store.get(profile, name);
    if (raw === undefined) continue;
    let entryGrant: unknown;
    try {
      entryGrant = (JSON.parse(raw) as { grantId?: unknown } | null)?.grantId;
    } catch {
      entryGrant = undefined; // unreadable: deleted whatever the grant
    }
    if (grantId !== undefined && typeof entryGrant === 'string' && entryGrant !== grantId) continue;
    await store.delete(profile, name);
    wiped += 1;
  }
  return wiped;
}
