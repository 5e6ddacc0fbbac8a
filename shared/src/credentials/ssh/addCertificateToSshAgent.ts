import { StrongroomError } from '../../errors/StrongroomError.js';
import type { EphemeralSshKey } from './ephemeralSshKey.js';
import { sshAgentRequest } from './sshAgentRequest.js';
import { sshString, sshStringReader, sshUint32 } from './sshWire.js';

// draft-miller-ssh-agent (the protocol OpenSSH's ssh-agent speaks), §§ 3.2, 3.2.7.
const SSH_AGENT_FAILURE = 5;
const SSH_AGENT_SUCCESS = 6;
const SSH_AGENTC_ADD_ID_CONSTRAINED = 25;
const SSH_AGENT_CONSTRAIN_LIFETIME = 1;
const CERT_TYPE = 'ssh-ed25519-cert-v01@openssh.com';

export interface AddCertificateInput {
  /** `SSH_AUTH_SOCK`. */
  socketPath: string | undefined;
  key: EphemeralSshKey;
  /** The broker's certificate line for `key` (`ssh-ed25519-cert-v01@openssh.com AAAA… keyId`). */
  certificate: string;
  comment: string;
  /** The agent forgets the key after this many seconds (`ssh-add -t`). */
  lifetimeSeconds: number;
}

/** The certificate blob of a line, checked to certify exactly this key (never load a stranger's). */
export function certificateBlobFor(line: string, key: EphemeralSshKey): Buffer {
  const [type, base64] = line.trim().split(/\s+/);
  if (type !== CERT_TYPE || base64 === undefined)
    throw new StrongroomError(
      'broker_error',
      'The broker answered with something that is not an Ed25519 certificate.',
    );
  const blob = Buffer.from(base64, 'base64');
  try {
    const read = sshStringReader(blob);
    const inner = read.next().toString('latin1');
    read.next(); // nonce
    const certified = read.next();
    if (inner === CERT_TYPE && certified.equals(key.publicKey)) return blob;
  } catch {
    // fall through: a truncated blob is as wrong as a mismatched one
  }
  throw new StrongroomError(
    'broker_error',
    'The certificate from the broker is not for the key this command made.',
  );
}

/**
 * Adds the key with its certificate to the running ssh-agent, with a lifetime, speaking the agent
 * protocol directly over `SSH_AUTH_SOCK`. `ssh-add -` cannot do this: it reads a private key from
 * stdin but looks for the certificate in a file beside it, and the key must never touch the disk.
 * Ed25519 certificate identity (draft-miller-ssh-agent §3.2.6 / PROTOCOL.certkeys):
 *   string cert-type, string certificate, string ENC(A), string k || ENC(A), string comment,
 *   then the constraint byte SSH_AGENT_CONSTRAIN_LIFETIME with uint32 seconds.
 */
export async function addCertificateToSshAgent(input: AddCertificateInput): Promise<void> {
  if (input.socketPath === undefined || input.socketPath === '')
    throw new StrongroomError('not_supported', 'No ssh-agent is running (SSH_AUTH_SOCK is not set).', {
      hint: 'Start one with `eval "$(ssh-agent)"` and run this command again.',
    });
  const certificate = certificateBlobFor(input.certificate, input.key);
  const secret = Buffer.concat([input.key.seed, input.key.publicKey]);
  const body = Buffer.concat([
    Buffer.of(SSH_AGENTC_ADD_ID_CONSTRAINED),
    sshString(CERT_TYPE),
    sshString(certificate),
    sshString(input.key.publicKey),
    sshString(secret),
    sshString(input.comment),
    Buffer.of(SSH_AGENT_CONSTRAIN_LIFETIME),
    sshUint32(Math.max(1, Math.floor(input.lifetimeSeconds))),
  ]);
  secret.fill(0);
  try {
    const reply = (await sshAgentRequest(input.socketPath, body))[0];
    if (reply === SSH_AGENT_SUCCESS) return;
    throw new StrongroomError(
      'internal',
      reply === SSH_AGENT_FAILURE
        ? 'ssh-agent refused the key (it may not support certificates or lifetimes).'
        : `ssh-agent answered with unexpected message ${reply ?? 'none'}.`,
    );
  } finally {
    body.fill(0);
  }
}
