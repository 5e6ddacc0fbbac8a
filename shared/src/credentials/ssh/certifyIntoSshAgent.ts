import type { SshCertificateResponse } from '../../protocol/sshApi.js';
import { addCertificateToSshAgent } from './addCertificateToSshAgent.js';
import { ephemeralSshKey } from './ephemeralSshKey.js';

/**
 * One short-lived SSH certificate into an ssh-agent (`strongroom ssh-cert`, elevated terminals):
 * an Ed25519 key made in memory, its public half certified by the broker through `issue`, key and
 * certificate handed to the agent at `socketPath` with the certificate's remaining lifetime (the
 * agent forgets both when it ends), and the private key wiped here whatever happens. `beforeAdd`
 * may refuse after the broker answered (e.g. the terminal closed meanwhile).
 */
export async function certifyIntoSshAgent(input: {
  hostGroup: string;
  socketPath: string;
  issue: (publicKey: string) => Promise<SshCertificateResponse>;
  now: () => number;
  beforeAdd?: () => void;
}): Promise<SshCertificateResponse> {
  const key = ephemeralSshKey(`strongroom:${input.hostGroup}`);
  try {
    const issued = await input.issue(key.publicKeyLine);
    input.beforeAdd?.();
    await addCertificateToSshAgent({
      socketPath: input.socketPath,
      key,
      certificate: issued.certificate,
      comment: issued.keyId,
      lifetimeSeconds: issued.validBefore - Math.floor(input.now() / 1000),
    });
    return issued;
  } finally {
    key.dispose();
  }
}
