import { randomBytes } from 'node:crypto';
import { storeSession } from '@strongroom/shared/session/storeSession.js';
import type { CredentialStore } from '@strongroom/shared/vault/CredentialStore.js';

/**
 * A signed-in session for `profile`, written straight to the vault (random tokens, one hour): CLI
 * benchmarks measure the CLI's own start-up, not the broker or a browser sign-in.
 */
export async function storeSyntheticSession(store: CredentialStore, profile: string): Promise<void> {
  const now = Date.now();
  await storeSession(
    store,
    profile,
    {
      accessToken: `bench-${randomBytes(32).toString('base64url')}`,
      refreshToken: `bench-${randomBytes(32).toString('base64url')}`,
    },
    {
      issuer: 'http://localhost:7700',
      subject: 'bench',
      email: 'bench@localhost',
      name: undefined,
      amr: ['hwk', 'user', 'mfa'],
      acr: 'urn:strongroom:acr:hwk',
      authTime: now,
      accessTokenIssuedAt: now,
      accessTokenExpiresAt: now + 3_600_000,
      sessionExpiresAt: now + 3_600_000,
      sessionEndSource: 'id_token',
      deviceKeyThumbprint: 'bench',
      deviceKeyProtection: 'software',
    },
  );
}
