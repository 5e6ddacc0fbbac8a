import type { UserEvent } from '../protocol/jitApi.js';
import type { CredentialStore } from '../vault/CredentialStore.js';

/** What the broker said when it ended this client's session (a lock: issue 9). */
export interface SessionRevocation {
  reason: string;
  scope: 'user' | 'device';
  lockId: string | null;
}

/**
 * Whether a `session.revoked` event ends THIS client's session: a lock of the person always does;
 * a device lock only when it names this device's key (RFC 7638 thumbprint of the DPoP key).
 */
export function sessionRevocationFor(event: UserEvent, ownThumbprint: string): SessionRevocation | undefined {
  if (event.type !== 'session.revoked') return undefined;
  const data = event.data;
  const scope = data['scope'] === 'device' ? 'device' : 'user';
  if (scope === 'device' && data['thumbprint'] !== ownThumbprint) return undefined;
  return {
    reason: typeof data['reason'] === 'string' ? data['reason'] : 'the broker ended this session',
    scope,
    lockId: typeof data['lockId'] === 'string' ? data['lockId'] : null,
  };
}

/**
 * Wipes what the profile holds in the vault (tokens, issued credentials), at once and without the
 * network: the broker has already revoked them, and a locked account cannot revoke anything. The
 * device key stays (it is the machine's identity; the broker decides whether it may come back).
 */
export async function wipeRevokedSession(store: CredentialStore, profile: string): Promise<void> {
  await store.clearProfile(profile);
}
