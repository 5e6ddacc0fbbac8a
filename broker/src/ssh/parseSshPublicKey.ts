import sshpk from 'sshpk';

/** Why a public key was refused; each becomes a clear `invalid_request` and an audited refusal. */
export type SshKeyProblem = 'malformed' | 'unsupported_type' | 'too_weak';

export type ParsedSshPublicKey =
  | { ok: true; key: sshpk.Key; type: string; fingerprint: string }
  | {
      ok: false;
      problem: SshKeyProblem;
      reason: string;
      /** The type the line names, if it names one. */ type?: string;
    };

/** The line's key type must match the blob; no options, no certificates, one line of ASCII. */
// Every key blob starts with a uint32 length below 2^24, so its base64 starts with "AAAA".
const LINE = /^([\w@.-]+) (AAAA[A-Za-z0-9+/]+={0,2})(?: [\x20-\x7e]*)?$/;
const ALLOWED =
  'allowed: ssh-ed25519, ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ssh-rsa of at least 3072 bits';
const MIN_RSA_BITS = 3072;

/**
 * Checks a public key a client wants certified, in OpenSSH's one-line format (`ssh-keygen -y`).
 * Allowed: Ed25519, ECDSA P-256/P-384, RSA of at least 3072 bits (NIST SP 800-57's 128-bit level
 * and OpenSSH's own default). Refused: DSA (removed from OpenSSH), ECDSA P-521 (rarely supported
 * by hardware), security-key (`sk-`) types (not requested yet), certificates, anything malformed.
 */
export function parseSshPublicKey(line: string): ParsedSshPublicKey {
  const m = LINE.exec(line.trim());
  if (!m) return { ok: false, problem: 'malformed', reason: 'publicKey is not one OpenSSH public key line' };
  const declared = m[1] as string;
  if (!['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ssh-rsa'].includes(declared))
    return {
      ok: false,
      type: declared,
      problem: 'unsupported_type',
      reason: `key type ${declared} is not accepted (${ALLOWED})`,
    };
  let key: sshpk.Key;
  try {
    key = sshpk.parseKey(`${declared} ${m[2] as string}`, 'ssh');
  } catch {
    return {
      ok: false,
      type: declared,
      problem: 'malformed',
      reason: 'publicKey could not be parsed as an OpenSSH public key',
    };
  }
  // The blob names its own type; a line that says ssh-ed25519 over an RSA blob is malformed.
  const blobType = Buffer.from(m[2] as string, 'base64');
  const inner =
    blobType.length >= 4 ? blobType.subarray(4, 4 + blobType.readUInt32BE(0)).toString('latin1') : '';
  if (inner !== declared)
    return {
      ok: false,
      type: declared,
      problem: 'malformed',
      reason: `publicKey says ${declared} but holds a ${inner || 'garbled'} key`,
    };
  if (key.type === 'rsa' && key.size < MIN_RSA_BITS)
    return {
      ok: false,
      type: declared,
      problem: 'too_weak',
      reason: `RSA keys need at least ${MIN_RSA_BITS} bits; this one has ${key.size}`,
    };
  return { ok: true, key, type: declared, fingerprint: key.fingerprint('sha256').toString() };
}
