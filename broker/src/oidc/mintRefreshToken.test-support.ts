import { randomUUID } from 'node:crypto';
import type Provider from 'oidc-provider';
import { STRONGROOM_CLI_CLIENT_ID } from './strongroomCliClient.js';

/**
 * What a completed key sign-in leaves behind, made directly through oidc-provider's own models: a
 * browser session, a grant, and a refresh token bound to a DPoP key thumbprint. For tests and
 * benchmarks that exercise the token endpoint without a browser.
 */
export async function mintRefreshToken(
  provider: Provider,
  opts: { accountId: string; jkt: string; nowSeconds: number },
): Promise<string> {
  const client = await provider.Client.find(STRONGROOM_CLI_CLIENT_ID);
  if (!client) throw new Error(`${STRONGROOM_CLI_CLIENT_ID} client missing`);
  const grant = new provider.Grant({ accountId: opts.accountId, clientId: client.clientId });
  grant.addOIDCScope('openid offline_access');
  const grantId = await grant.save();
  const session = new provider.Session();
  session.accountId = opts.accountId;
  session.loginTs = opts.nowSeconds;
  const sid = randomUUID();
  session.grantIdFor(client.clientId, grantId);
  session.sidFor(client.clientId, sid);
  await session.save(3600);
  const refresh = new provider.RefreshToken({
    accountId: opts.accountId,
    client,
    grantId,
    scope: 'openid offline_access',
    gty: 'authorization_code',
    authTime: opts.nowSeconds,
    iiat: opts.nowSeconds,
    expiresWithSession: true,
    sessionUid: session.uid,
    sid,
    jkt: opts.jkt,
  });
  return refresh.save();
}
