import { createHash } from 'node:crypto';
import { StrongroomError } from '../errors/StrongroomError.js';
import type { CredentialStore } from './CredentialStore.js';

/**
 * Vault naming convention for credentials issued under a grant (issue 8): `g.<grant>.<name>` in the
 * profile's namespace, e.g. `g.3f2a…-uuid.aws` or `g.3f2a….ssh-cert`. When the grant ends (expiry,
 * drop, revoke, posture regression) the agent deletes every entry with that grant's tag, without
 * knowing which helper wrote it. Session entries (`session`, `access_token`, …) never start with
 * `g.`, so they are never caught by a grant wipe.
 *
 * Vault names are at most 64 characters: a broker grant id (a UUID, 36) is used as is; anything
 * longer or with other characters is replaced by a 32-hex-digit SHA-256 tag.
 */
const PREFIX = 'g.';
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,24}$/;

export function grantTag(grantId: string): string {
  return /^[A-Za-z0-9-]{1,36}$/.test(grantId)
    ? grantId
    : createHash('sha256').update(grantId).digest('hex').slice(0, 32);
}

/** The vault entry name for credential `name` (letters, digits, `_`, `-`; at most 25) of a grant. */
export function grantCredentialEntry(grantId: string, name: string): string {
  if (!NAME.test(name))
    throw new StrongroomError('usage', `Invalid grant credential name "${name.slice(0, 40)}".`, {
      hint: 'Use letters, digits, "_" or "-" (at most 25 characters).',
    });
  return `${PREFIX}${grantTag(grantId)}.${name}`;
}

/** Whether a vault entry name belongs to that grant. */
export function isGrantCredentialEntry(entry: string, grantId: string): boolean {
  return entry.startsWith(`${PREFIX}${grantTag(grantId)}.`);
}

/** Whether a vault entry name belongs to any grant (a grant-scoped credential). */
export function isAnyGrantCredentialEntry(entry: string): boolean {
  return entry.startsWith(PREFIX);
}

/** Deletes every credential the profile holds under that grant; returns the names deleted. */
export async function wipeGrantCredentials(
  store: CredentialStore,
  profile: string,
  grantId: string,
): Promise<readonly string[]> {
  const names = (await store.list(profile)).filter((n) => isGrantCredentialEntry(n, grantId));
  for (const name of names) await store.delete(profile, name);
  return names;
}
