import { createHash } from 'node:crypto';
import type { CredentialStore } from '../../vault/CredentialStore.js';
import { grantCredentialEntry, isGrantCredentialEntry } from '../../vault/grantCredentialEntries.js';
import type { AwsCredentials } from './AwsCredentials.js';

/**
 * The keychain cache of AWS credentials: one vault entry per grant and role, named by the grant
 * convention (`g.<grant>.aws-<role digest>`, vault/grantCredentialEntries.ts), so whoever ends a
 * grant (the agent on `grant.ended`, `strongroom drop`) wipes them without knowing about AWS.
 * This module is on the `strongroom credential-process` hot path: node:crypto and the vault only
 * (no zod, no AWS SDK): one index read and one entry read.
 */
/** Refresh this long before the credentials expire ("until shortly before expiry")… */
const REFRESH_BEFORE_MS = 5 * 60_000;

interface CachedAws extends AwsCredentials {
  readonly v: 1;
  readonly role: string;
  /** After this the cache is a miss and new credentials are fetched. */
  readonly refreshAt: number;
}

/** Role names are not vault names (`s3://corp-ml/raw/`), so the entry carries a digest of it. */
export function awsEntryName(role: string): string {
  return `aws-${createHash('sha256').update(role).digest('hex').slice(0, 20)}`;
}

/** …but never before half their life has passed (a short grant still gets a useful cache). */
export function awsRefreshAt(fetchedAt: number, expiration: number): number {
  return Math.max(expiration - REFRESH_BEFORE_MS, fetchedAt + (expiration - fetchedAt) / 2);
}

/** The profile's vault entries holding this role's credentials (one per grant, normally one). */
export async function awsCacheEntries(
  store: CredentialStore,
  profile: string,
  role: string,
  grantId?: string,
): Promise<string[]> {
  const suffix = `.${awsEntryName(role)}`;
  return (await store.list(profile)).filter(
    (n) =>
      n.startsWith('g.') &&
      n.endsWith(suffix) &&
      (grantId === undefined || isGrantCredentialEntry(n, grantId)),
  );
}

function decode(raw: string, role: string): CachedAws | undefined {
  try {
    const c = JSON.parse(raw) as Partial<CachedAws> | null;
    const strings = [c?.accessKeyId, c?.secretAccessKey, c?.sessionToken, c?.grantId, c?.roleArn];
    if (c?.v !== 1 || c.role !== role || strings.some((s) => typeof s !== 'string')) return undefined;
    if (typeof c.expiration !== 'number' || typeof c.refreshAt !== 'number') return undefined;
    return c as CachedAws;
  } catch {
    return undefined;
  }
}

/** Cached credentials for the role while they are fresh (before `refreshAt`); undefined otherwise. */
export async function readCachedAwsCredentials(
  store: CredentialStore,
  profile: string,
  role: string,
  now: number,
  grantId?: string,
): Promise<AwsCredentials | undefined> {
  for (const name of await awsCacheEntries(store, profile, role, grantId)) {
    const raw = await store.get(profile, name);
    const cached = raw === undefined ? undefined : decode(raw, role);
    if (cached !== undefined && now < cached.refreshAt) return cached;
  }
  return undefined;
}

/** Keeps the credentials until they expire (the vault deletes them then), under their grant's tag. */
export async function cacheAwsCredentials(
  store: CredentialStore,
  profile: string,
  role: string,
  credentials: AwsCredentials,
  now: number,
): Promise<void> {
  if (credentials.expiration <= now) return;
  const entry: CachedAws = {
    v: 1,
    role,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
    expiration: credentials.expiration,
    grantId: credentials.grantId,
    roleArn: credentials.roleArn,
    refreshAt: awsRefreshAt(now, credentials.expiration),
  };
  const name = grantCredentialEntry(credentials.grantId, awsEntryName(role));
  await store.set(profile, name, JSON.stringify(entry), credentials.expiration);
}

/**
 * The broker refused the role (under `grantId`, or under any grant when none was named): what the
 * cache holds for it there is void. A refusal for one grant leaves another grant's entry alone.
 */
export async function forgetAwsRole(
  store: CredentialStore,
  profile: string,
  role: string,
  grantId?: string,
): Promise<void> {
  for (const name of await awsCacheEntries(store, profile, role, grantId)) await store.delete(profile, name);
}
