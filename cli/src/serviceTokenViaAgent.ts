import type { ServiceTokenResult } from '@strongroom/shared/protocol/serviceTokenAgentApi.js';
import type { ServiceToken } from '@strongroom/shared/service-tokens/ServiceToken.js';
import type { CliContext } from './cliContext.js';
import { withRunningAgent } from './withRunningAgent.js';

/**
 * Answers after which the service-token helpers work alone: the agent serves another profile or has
 * not seen the sign-in yet (`not_found`, `not_signed_in`), or it has no service-token helper
 * (`not_supported`, also what an agent's `unknown_method` becomes). Everything else it says is
 * final, invalid params included: a failing posture, a lock or the broker's refusal must not be
 * sidestepped by working alone.
 */
const WORK_ALONE = new Set(['not_found', 'not_signed_in', 'not_supported']);

/**
 * A token for a service for `git-credential`, `kube-credential` and `token --audience`: one
 * `serviceToken.get` round trip to a running agent (issue 8: the credential helpers go through the
 * socket; the keychain is not opened), else the standalone path (keychain cache, token exchange),
 * imported only then. Zod-free on the agent path: the method name is a literal and the agent checked
 * its answer against the schema before it left.
 */
export async function serviceTokenViaAgent(
  context: CliContext,
  request: { audience: string; grantId?: string },
): Promise<ServiceToken> {
  const answer = await withRunningAgent(
    process.env,
    WORK_ALONE,
    async (client) =>
      (await client.request('serviceToken.get', {
        ...request,
        profile: context.profile.name,
      })) as ServiceTokenResult,
  );
  if (answer !== undefined) return answer;
  const { getServiceToken } = await import('@strongroom/shared/service-tokens/getServiceToken.js');
  return getServiceToken(context, request);
}

/** git's `erase`: the agent forgets the token (memory and keychain), or this process does alone. */
export async function eraseServiceTokenViaAgent(context: CliContext, audience: string): Promise<void> {
  const erased = await withRunningAgent(process.env, WORK_ALONE, async (client) => {
    await client.request('serviceToken.erase', { audience, profile: context.profile.name });
    return true;
  });
  if (erased === true) return;
  const { eraseServiceToken } = await import('@strongroom/shared/service-tokens/serviceTokenCache.js');
  await eraseServiceToken(context.store, context.profile.name, audience);
}
