import type { AwsCredentials } from '@strongroom/shared/credentials/aws/AwsCredentials.js';
import { getAwsCredentials } from '@strongroom/shared/credentials/aws/getAwsCredentials.js';
import type { CliContext } from './cliContext.js';
import { deviceClient } from './deviceClient.js';

/** The cache-miss path of the AWS helpers: a web-identity token from the broker, traded at STS, cached. */
export function fetchAwsCredentials(
  context: CliContext,
  options: { role: string; grant?: string | undefined },
): Promise<AwsCredentials> {
  return getAwsCredentials(
    {
      profile: context.profile,
      store: context.store,
      client: async () => (await deviceClient(context)).client,
      now: context.host.now,
    },
    { role: options.role, ...(options.grant === undefined ? {} : { grantId: options.grant }) },
  );
}
