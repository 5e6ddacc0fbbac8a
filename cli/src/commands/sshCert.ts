import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import { certifyIntoSshAgent } from '@strongroom/shared/credentials/ssh/certifyIntoSshAgent.js';
import { sshCertificateResponseSchema } from '@strongroom/shared/protocol/sshApi.js';
import type { GlobalOptions } from '../cliContext.js';
import { EXIT } from '../exitCodes.js';
import { formatTime } from '../formatTime.js';
import { jitCall, parseDuration, printJson } from '../jitCall.js';

export interface SshCertOptions {
  grant?: string;
  ttl?: string;
  json?: boolean;
}

/** `90s`, or any `parseDuration` form (`10m`, `1h`) → seconds, 10 s … 1 h (the broker's bounds). */
export function parseTtl(text: string): number {
  const seconds = /^(\d{1,4})s$/.exec(text.trim());
  const ttl = seconds ? Number(seconds[1]) : parseDuration(text) * 60;
  if (ttl < 10 || ttl > 3600)
    throw new StrongroomError('usage', `--ttl ${text} is out of range: certificates live 10 s to 1 h.`);
  return ttl;
}

/**
 * `strongroom ssh-cert <host-group>`: makes an Ed25519 key in memory, has the broker certify it
 * under the active grant that covers the host group, and hands key and certificate to the running
 * ssh-agent with the certificate's remaining lifetime, so the agent forgets both when it expires.
 * The private key is never written anywhere. Checks the agent first: no point asking the broker
 * for a certificate nothing can hold.
 */
export async function sshCert(
  global: GlobalOptions,
  hostGroup: string,
  options: SshCertOptions,
): Promise<number> {
  const socketPath = process.env['SSH_AUTH_SOCK'];
  if (socketPath === undefined || socketPath === '')
    throw new StrongroomError('usage', 'No ssh-agent is running (SSH_AUTH_SOCK is not set).', {
      hint: 'Start one with `eval "$(ssh-agent)"` and run this command again.',
    });
  const ttlSeconds = options.ttl === undefined ? undefined : parseTtl(options.ttl);
  const data = await certifyIntoSshAgent({
    hostGroup,
    socketPath,
    issue: async (publicKey) => {
      const { data: issued } = await jitCall(
        global,
        'POST',
        '/api/v1/credentials/ssh',
        sshCertificateResponseSchema,
        {
          publicKey,
          hostGroup,
          ...(options.grant === undefined ? {} : { grantId: options.grant }),
          ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
        },
      );
      return issued;
    },
    now: Date.now, // the CLI's host clock (cliContext)
  });
  if (options.json === true) printJson({ ...data, addedToAgent: true });
  else
    process.stdout.write(
      `Certificate for ${hostGroup} added to ssh-agent (principals ${data.principals.join(', ')}; serial ${data.serial}); ` +
        `it expires ${formatTime(data.validBefore * 1000, Date.now())}.\n`,
    );
  return EXIT.ok;
}
