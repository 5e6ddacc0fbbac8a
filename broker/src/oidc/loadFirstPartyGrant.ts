import type { Grant, KoaContextWithOIDC } from 'oidc-provider';
import { STRONGROOM_CLI_CLIENT_ID } from './strongroomCliClient.js';

/**
 * Our own client needs no consent screen (it is first party; the person just touched their key to
 * sign in to it). Any other client would go through the consent prompt, which we do not serve.
 */
export async function loadFirstPartyGrant(ctx: KoaContextWithOIDC): Promise<Grant | undefined> {
  const { oidc } = ctx;
  const client = oidc.client;
  const session = oidc.session;
  if (!client || !session?.accountId) return undefined;
  const grantId = oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
  if (grantId) {
    const existing = await oidc.provider.Grant.find(grantId);
    if (existing) return existing;
  }
  if (client.clientId !== STRONGROOM_CLI_CLIENT_ID) return undefined;
  const grant = new oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
  grant.addOIDCScope('openid offline_access email profile roles');
  grant.addOIDCClaims(['email', 'email_verified', 'name', 'roles']);
  await grant.save();
  return grant;
}
