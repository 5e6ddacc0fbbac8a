import { isLoopbackHost } from '@strongroom/shared/config/checkBrokerUrl.js';
import { mappedService } from '@strongroom/shared/config/parseServiceMap.js';
import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import {
  gitAttribute,
  gitCredentialLine,
  parseGitCredentialInput,
} from '@strongroom/shared/service-tokens/gitCredentialProtocol.js';
import { cliContext, noBrowser, type GlobalOptions } from '../cliContext.js';
import { EXIT } from '../exitCodes.js';
import { eraseServiceTokenViaAgent, serviceTokenViaAgent } from '../serviceTokenViaAgent.js';

/** The user name git sends with the token; servers identify the user by the token's `sub`. */
export const GIT_USERNAME = 'strongroom';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024) break;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function hostName(host: string): string {
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':', 1)[0] ?? '');
}

/**
 * `strongroom git-credential <get|store|erase>`: git's credential-helper protocol
 * (gitcredentials(7)), configured with `git config credential.helper '!strongroom git-credential'`
 * (or per host: `credential.https://git.example.com.helper`). It answers only for hosts the profile
 * maps to a service (`profiles.<p>.git`), with a short-lived token for that service as the
 * password; for other hosts it says nothing, so git asks its other helpers. `store` is ignored
 * (tokens are never stored on git's behalf), `erase` (git found the token rejected) deletes the
 * cached token. A refusal by the broker answers `quit=1`, so git stops with the reason on stderr
 * instead of prompting for a password. With the agent running, the token comes from it (one
 * exchange serves every call until due); git calls this for every fetch and push, so it is on the
 * CLI's hot path (bin/strongroom.ts, hotTokenHelper).
 */
export async function gitCredential(global: GlobalOptions, action: string): Promise<number> {
  if (action !== 'get' && action !== 'store' && action !== 'erase')
    throw new StrongroomError('usage', `Unknown git credential action "${action}" (get, store or erase).`);
  const input = parseGitCredentialInput(await readStdin());
  if (action === 'store') return EXIT.ok;
  if (input === undefined) {
    process.stderr.write(
      'strongroom: git sent something that is not the credential protocol; ignoring it.\n',
    );
    return EXIT.ok;
  }
  const host = gitAttribute(input, 'host');
  const protocol = gitAttribute(input, 'protocol');
  const context = await cliContext(global, noBrowser);
  const service = mappedService(context.profile.git, host?.toLowerCase());
  if (host === undefined || service === undefined) return EXIT.ok; // not ours: git asks other helpers
  if (action === 'erase') {
    await eraseServiceTokenViaAgent(context, service);
    return EXIT.ok;
  }
  // A token is a credential: never over plain http except to this machine.
  if (protocol !== 'https' && !(protocol === 'http' && isLoopbackHost(hostName(host)))) {
    process.stderr.write(
      `strongroom: refusing to send a token to ${protocol ?? '?'}://${host} (use https).\n`,
    );
    process.stdout.write(gitCredentialLine('quit', '1'));
    return EXIT.ok;
  }
  try {
    const token = await serviceTokenViaAgent(context, { audience: service });
    if (token.tokenType !== 'Bearer')
      throw new StrongroomError(
        'denied',
        `The service ${service} takes DPoP-bound tokens, which git cannot send.`,
        {
          hint: 'Map this git host to a service whose catalog entry has no `dpop: true`.',
        },
      );
    process.stdout.write(
      gitCredentialLine('username', GIT_USERNAME) +
        gitCredentialLine('password', token.token) +
        gitCredentialLine('password_expiry_utc', String(Math.floor(token.expiresAt / 1000))),
    );
  } catch (error) {
    const { reportError } = await import('../reportError.js');
    reportError(error, false);
    process.stdout.write(gitCredentialLine('quit', '1'));
  }
  return EXIT.ok;
}
