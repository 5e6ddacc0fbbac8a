import { cliContext, noBrowser, type GlobalOptions } from '../cliContext.js';
import { EXIT } from '../exitCodes.js';
import { serviceTokenViaAgent } from '../serviceTokenViaAgent.js';

/**
 * `strongroom token --audience <service> [--grant <id>]`: a short-lived token for one service
 * (RFC 8693 token exchange; cached in the keychain until shortly before it expires). A live
 * credential on stdout, so stderr says so, as for the plain `strongroom token`. From the agent when
 * it runs.
 */
export async function serviceToken(
  global: GlobalOptions,
  options: { audience: string; grant?: string; json?: boolean },
): Promise<number> {
  const context = await cliContext(global, noBrowser);
  const token = await serviceTokenViaAgent(context, {
    audience: options.audience,
    ...(options.grant === undefined ? {} : { grantId: options.grant }),
  });
  const expires = new Date(token.expiresAt).toISOString();
  process.stderr.write(
    `strongroom: warning: this prints a live ${token.tokenType} token for ${token.audience} (grant ${token.grantId}, expires ${expires}). ` +
      'Do not paste it into logs, tickets or chats.\n',
  );
  if (options.json === true) {
    process.stdout.write(
      `${JSON.stringify({ access_token: token.token, token_type: token.tokenType, audience: token.audience, grant_id: token.grantId, expires_at: expires })}\n`,
    );
  } else {
    process.stdout.write(`${token.token}\n`);
  }
  return EXIT.ok;
}
