import { sshAgentRequest } from './sshAgentRequest.js';
import { sshString, sshStringReader } from './sshWire.js';

// draft-miller-ssh-agent §3.4, §3.5.
const SSH_AGENT_SUCCESS = 6;
const SSH_AGENTC_REQUEST_IDENTITIES = 11;
const SSH_AGENT_IDENTITIES_ANSWER = 12;
const SSH_AGENTC_REMOVE_IDENTITY = 18;
const CERT_TYPE = 'ssh-ed25519-cert-v01@openssh.com';

/**
 * The key id of an Ed25519 certificate blob (PROTOCOL.certkeys: type, nonce, pk, serial, type,
 * key id), or undefined for anything else.
 */
function keyIdOf(blob: Buffer): string | undefined {
  try {
    const read = sshStringReader(blob);
    if (read.next().toString('latin1') !== CERT_TYPE) return undefined;
    read.next(); // nonce
    read.next(); // public key
    const rest = blob.subarray(read.offset() + 8 + 4); // uint64 serial, uint32 cert type
    return sshStringReader(rest).next().toString('utf8');
  } catch {
    return undefined;
  }
}

/**
 * Removes from the ssh-agent every certificate the broker issued under `grantId` (its key id ends
 * in `:grant=<id>`), so a dropped grant's certificate leaves the agent at once instead of at its
 * lifetime (issue 6: cache wipes on clients; hosts refuse it anyway once their KRL has it).
 * Returns how many it removed.
 */
export async function removeGrantCertificatesFromSshAgent(
  socketPath: string,
  grantId: string,
): Promise<number> {
  const answer = await sshAgentRequest(socketPath, Buffer.of(SSH_AGENTC_REQUEST_IDENTITIES));
  if (answer[0] !== SSH_AGENT_IDENTITIES_ANSWER || answer.length < 5) return 0;
  const count = answer.readUInt32BE(1);
  const read = sshStringReader(answer.subarray(5));
  const ours: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const blob = read.next();
    read.next(); // comment
    if (keyIdOf(blob)?.endsWith(`:grant=${grantId}`) === true) ours.push(blob);
  }
  let removed = 0;
  for (const blob of ours) {
    const reply = await sshAgentRequest(
      socketPath,
      Buffer.concat([Buffer.of(SSH_AGENTC_REMOVE_IDENTITY), sshString(blob)]),
    );
    if (reply[0] === SSH_AGENT_SUCCESS) removed++;
  }
  return removed;
}
