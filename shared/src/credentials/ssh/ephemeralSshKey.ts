import { generateKeyPairSync } from 'node:crypto';
import { sshString } from './sshWire.js';

/** An Ed25519 key that lives only in this process's memory until it is handed to ssh-agent. */
export interface EphemeralSshKey {
  /** `ssh-ed25519 AAAA… <comment>`: what the broker certifies. */
  publicKeyLine: string;
  /** The 32-byte public key (ENC(A), RFC 8032). */
  publicKey: Buffer;
  /** The 32-byte private seed (k). Wipe with `dispose()` once the agent holds it. */
  seed: Buffer;
  dispose(): void;
}

/**
 * Makes the key with node:crypto (OpenSSL) and keeps the private half as raw bytes in memory: it is
 * never serialized to PEM or any file format, only sent once over the ssh-agent socket.
 */
export function ephemeralSshKey(comment: string): EphemeralSshKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const publicKey = Buffer.from(String(jwk.x), 'base64url');
  const seed = Buffer.from(String(jwk.d), 'base64url');
  const blob = Buffer.concat([sshString('ssh-ed25519'), sshString(publicKey)]);
  return {
    publicKeyLine: `ssh-ed25519 ${blob.toString('base64')} ${comment}`,
    publicKey,
    seed,
    dispose: () => void seed.fill(0),
  };
}
