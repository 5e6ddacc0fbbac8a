import type { ResolvedProfile } from '../config/resolveProfile.js';
import { deviceKeyNamespace } from '../device/loadSoftwareDeviceKey.js';
import type { CredentialStore } from '../vault/CredentialStore.js';
import type { HostContext } from './HostContext.js';
import { REFRESH_TOKEN_ENTRY } from './sessionEntries.js';

export interface SignOutResult {
  /** Whether the broker confirmed the refresh token's revocation (RFC 7009). */
  readonly revokedAtBroker: boolean;
}

/**
 * Ends the session: asks the broker to revoke the refresh token (RFC 7009; the broker revokes the
 * whole session with it), then deletes everything the profile stored, whether or not the broker
 * answered. Local deletion never depends on the network. `forgetDevice` also deletes the device key.
 */
export async function signOut(options: {
  host: HostContext;
  profile: ResolvedProfile;
  store: CredentialStore;
  forgetDevice?: boolean;
}): Promise<SignOutResult> {
  const { host, profile, store } = options;
  let revokedAtBroker = false;
  try {
    const refreshToken = await store.get(profile.name, REFRESH_TOKEN_ENTRY);
    if (refreshToken !== undefined) {
      const [client, { discoverBroker }] = await Promise.all([
        import('openid-client'),
        import('../oidc/discoverBroker.js'),
      ]);
      const config = await discoverBroker(profile);
      await client.tokenRevocation(config, refreshToken, { token_type_hint: 'refresh_token' });
      revokedAtBroker = true;
    }
  } catch (error) {
    host.log(
      'warn',
      `Could not revoke the session at the broker: ${error instanceof Error ? error.message : 'unknown error'}`,
    );
  } finally {
    await store.clearProfile(profile.name);
    if (options.forgetDevice === true) await store.clearProfile(deviceKeyNamespace(profile.name));
  }
  return { revokedAtBroker };
}
