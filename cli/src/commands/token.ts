import { getAccessToken } from '@strongroom/shared/session/getAccessToken.js';
import { cliContext, noBrowser, type GlobalOptions } from '../cliContext.js';
import { EXIT } from '../exitCodes.js';

/**
 * `strongroom token`: a fresh access token on stdout for scripts, refreshed first when due. The
 * token is DPoP-bound (useless without this device's key), but it is still a live credential, so
 * stderr says so every time.
 */
export async function token(global: GlobalOptions, options: { json?: boolean }): Promise<number> {
  const context = await cliContext(global, noBrowser);
  const { accessToken, summary } = await getAccessToken(context);
  process.stderr.write(
    `strongroom: warning: this prints a live access token (DPoP-bound to this device, expires ${new Date(summary.accessTokenExpiresAt).toISOString()}). ` +
      'Do not paste it into logs, tickets or chats.\n',
  );
  if (options.json === true) {
    process.stdout.write(
      `${JSON.stringify({ access_token: accessToken, token_type: 'DPoP', expires_at: new Date(summary.accessTokenExpiresAt).toISOString() })}\n`,
    );
  } else {
    process.stdout.write(`${accessToken}\n`);
  }
  return EXIT.ok;
}
