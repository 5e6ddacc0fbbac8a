import type { AwsCredentialsResult } from '@strongroom/shared/protocol/awsAgentApi.js';
import { withRunningAgent } from './withRunningAgent.js';

/**
 * Answers after which `credential-process` works alone: the agent serves another profile or has
 * not seen the sign-in yet (`not_found`, `not_signed_in`), or it has no AWS helper (`not_supported`,
 * also what an agent's `unknown_method` becomes). Everything else it says is final, invalid params
 * included: a failing posture, a lock or a broker refusal must not be sidestepped by working alone.
 */
const WORK_ALONE = new Set(['not_found', 'not_signed_in', 'not_supported']);

/**
 * `strongroom credential-process` through a running agent (issue 8: the credential helpers go
 * through the socket): one `aws.credentials` round trip, answered from the agent's memory. On the
 * CLI's hot path, so zod-free (the method name is a literal; the agent checked the answer against
 * its schema before it left). Returns the credential_process JSON, or undefined to work alone.
 */
export async function awsViaAgent(
  profile: string,
  options: { role: string; grant?: string | undefined },
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  return withRunningAgent(env, WORK_ALONE, async (client) => {
    const result = (await client.request('aws.credentials', {
      role: options.role,
      profile,
      ...(options.grant === undefined ? {} : { grantId: options.grant }),
    })) as AwsCredentialsResult;
    return JSON.stringify(result);
  });
}
