import { loadDeviceKey } from '@strongroom/shared/device/loadDeviceKey.js';
import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import { getServiceToken } from '@strongroom/shared/service-tokens/getServiceToken.js';
import { serviceDpopProof } from '@strongroom/shared/service-tokens/serviceDpopProof.js';
import { cliContext, noBrowser, type GlobalOptions } from '../cliContext.js';
import { EXIT } from '../exitCodes.js';

/**
 * `strongroom dpop-proof <method> <url> --audience <service>`: the `DPoP` header for one request to
 * a service whose tokens are DPoP-bound, made with this device's key for the token
 * `strongroom token --audience <service>` prints (the cached one). A proof is not a credential on
 * its own (it is useless without the token, for another URL, or a minute later), so scripts can do
 * `curl -H "Authorization: DPoP $(strongroom token --audience s)" -H "DPoP: $(strongroom dpop-proof GET URL --audience s)" URL`.
 */
export async function dpopProof(
  global: GlobalOptions,
  method: string,
  url: string,
  options: { audience: string },
): Promise<number> {
  if (!/^[A-Za-z]{1,16}$/.test(method))
    throw new StrongroomError('usage', `"${method}" is not an HTTP method.`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StrongroomError('usage', `"${url}" is not an absolute URL.`);
  }
  const context = await cliContext(global, noBrowser);
  const token = await getServiceToken(context, { audience: options.audience });
  if (token.tokenType !== 'DPoP')
    throw new StrongroomError(
      'usage',
      `Tokens for ${options.audience} are not DPoP-bound: send them as Bearer tokens.`,
    );
  const key = await loadDeviceKey(context.store, context.profile.name);
  process.stdout.write(
    `${await serviceDpopProof(key, { method, url: parsed.href, accessToken: token.token, now: context.host.now() })}\n`,
  );
  return EXIT.ok;
}
