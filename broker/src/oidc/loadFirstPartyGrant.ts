import type { Grant, KoaContextWithOIDC } from 'oidc-provider';
import { STRONGROOM_CLI_CLIENT_ID } from './strongroomCliClient.js';

/**
 * Our own client needs no consent screen (it is first party and the person just touched their key
 * to sign in to it), so its grant covers whatever it asked for among the scopes and claims this
 * provider supports. Any other client would hit the consent prompt, which the broker refuses.
 */
export async function loadFirstPartyGrant(ctx: KoaContextWithOIDC): Promise<Grant | undefined> {
  const { oidc } = ctx;
  const client = oidc.client;
  const session = oidc.session;
  if (!client || !session?.accountId) return undefined;
  const grantId = oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
  const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  if (client.clientId !== STRONGROOM_CLI_CLIENT_ID) return existing;
  const grant =
    existing ?? new oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
  grant.addOIDCScope([...oidc.requestParamScopes].join(' '));
  grant.addOIDCClaims([...oidc.requestParamClaims]);
  await grant.save();
  return grant;
}
