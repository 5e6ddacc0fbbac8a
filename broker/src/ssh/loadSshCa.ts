import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import sshpk from 'sshpk';
import type { Store } from '../store/Store.js';
import { loadOrCreateSetting } from '../keys/loadOrCreateSetting.js';

/** The broker's SSH user CA: an Ed25519 key whose public half hosts list in `TrustedUserCAKeys`. */
export interface SshCa {
  /** `ssh-ed25519 AAAA… strongroom-user-ca`, the line for `TrustedUserCAKeys`. */
  readonly publicKeyLine: string;
  /** The CA public key as sshpk holds it (certificates name it as their signature key; KRLs too). */
  readonly publicKey: sshpk.Key;
  /** Ed25519 signature (RFC 8032, 64 bytes) over `data`, made by OpenSSL through node:crypto. */
  sign(data: Buffer): Buffer;
}

interface StoredSshCa {
  /** PKCS#8 DER, base64. */
  privateKey: string;
}

export const SSH_CA_SETTING = 'ssh.userCa';
const COMMENT = 'strongroom-user-ca';

function caFrom(privateKey: KeyObject): SshCa {
  const publicPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' });
  const publicKey = sshpk.parseKey(publicPem, 'pem');
  publicKey.comment = COMMENT;
  return Object.freeze({
    publicKeyLine: publicKey.toString('ssh'),
    publicKey,
    sign: (data: Buffer) => sign(null, data, privateKey),
  });
}

/**
 * The SSH user CA, generated once per deployment and kept in the store's settings like the
 * broker's other keys (loadSigningKeys): several instances racing at first start agree on one
 * (insertSettingIfAbsent), so a certificate from any instance verifies against the one CA line.
 * Ed25519: small, fast, and accepted by every OpenSSH since 6.5.
 */
export async function loadSshCa(store: Store): Promise<SshCa> {
  const stored = await loadOrCreateSetting<StoredSshCa>(store, SSH_CA_SETTING, () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const der = privateKey.export({ type: 'pkcs8', format: 'der' });
    return Promise.resolve({ privateKey: der.toString('base64') });
  });
  return caFrom(
    createPrivateKey({ key: Buffer.from(stored.privateKey, 'base64'), format: 'der', type: 'pkcs8' }),
  );
}
