import { credentialProcessJson } from '@strongroom/shared/credentials/aws/AwsCredentials.js';
import { readCachedAwsCredentials } from '@strongroom/shared/credentials/aws/awsCredentialCache.js';
import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import { readSession } from '@strongroom/shared/session/readSession.js';
import { awsViaAgent } from '../awsViaAgent.js';
import { cliContext, noBrowser, type GlobalOptions } from '../cliContext.js';
import { EXIT } from '../exitCodes.js';

export interface CredentialProcessOptions {
  role: string;
  grant?: string | undefined;
}

/**
 * `strongroom credential-process --role <r>`: the AWS `credential_process` helper. Prints ONLY the
 * JSON the AWS CLI and SDKs read (`Version` 1, keys, `Expiration`) on stdout; errors go to stderr
 * without secrets. On the CLI's hot path (bin/strongroom.ts): a running agent answers over its
 * socket; otherwise, with fresh credentials in the keychain, this loads no commander, zod or AWS
 * SDK; on a miss the broker and STS code is imported.
 */
export async function credentialProcess(
  global: GlobalOptions,
  options: CredentialProcessOptions,
): Promise<number> {
  const context = await cliContext(global, noBrowser);
  const { store, profile } = context;
  // A running agent answers from memory, with its own posture and lock checks (issue 8).
  const viaAgent = await awsViaAgent(profile.name, options, process.env);
  if (viaAgent !== undefined) {
    process.stdout.write(`${viaAgent}\n`);
    return EXIT.ok;
  }
  // In parallel (keychain round trips are the cost here): cached keys are only handed out while
  // the session lives; when it has ended, readSession deletes what the profile still held.
  const [session, cached] = await Promise.all([
    readSession(store, profile.name),
    readCachedAwsCredentials(store, profile.name, options.role, context.host.now(), options.grant),
  ]);
  if (session === undefined)
    throw new StrongroomError(
      'not_signed_in',
      `You are not signed in to ${profile.broker} (profile "${profile.name}").`,
      { hint: 'Run `strongroom login`.' },
    );
  const credentials =
    cached ?? (await (await import('../fetchAwsCredentials.js')).fetchAwsCredentials(context, options));
  process.stdout.write(`${credentialProcessJson(credentials)}\n`);
  return EXIT.ok;
}
