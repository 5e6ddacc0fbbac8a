import { randomBytes } from 'node:crypto';
import sshpk from 'sshpk';
import type { SshCa } from './loadSshCa.js';

export interface SshUserCertificateFields {
  /** The key being certified (parseSshPublicKey). */
  subjectKey: sshpk.Key;
  /** Unix account names (or principal names an `AuthorizedPrincipalsFile` lists). */
  principals: readonly string[];
  keyId: string;
  /** 1 … 2^64-1; 0 cannot be revoked by serial in a KRL (OpenSSH krl.c refuses it). */
  serial: bigint;
  /** Seconds since the epoch. */
  validAfter: number;
  validBefore: number;
  /** Flag extensions (`permit-pty`, …); written sorted, as PROTOCOL.certkeys requires. */
  extensions: readonly string[];
}

type OpenSshCertFormat = sshpk.Format.OpenSshCert;

/**
 * An OpenSSH user certificate (PROTOCOL.certkeys, `ssh-*-cert-v01@openssh.com`), laid out by sshpk
 * and signed with the broker's CA through node:crypto (sshpk's own Ed25519 path is pure JavaScript
 * and ~20x slower). Returns the one-line `<type> <base64> <keyId>` form `ssh-add` and files use.
 */
export function signSshUserCertificate(ca: SshCa, fields: SshUserCertificateFields): string {
  if (fields.serial <= 0n || fields.serial >= 1n << 64n) throw new RangeError('serial must be 1..2^64-1');
  const serial = Buffer.alloc(8);
  serial.writeBigUInt64BE(fields.serial);
  const openssh = {
    nonce: randomBytes(32),
    keyId: fields.keyId,
    exts: [...fields.extensions].sort().map((name) => ({ critical: false, name, data: Buffer.alloc(0) })),
  };
  const cert = new sshpk.Certificate({
    subjects: fields.principals.map((p) => sshpk.identityForUser(p)),
    subjectKey: fields.subjectKey,
    // OpenSSH certificates name no issuer, only its key; sshpk wants an identity all the same.
    issuer: sshpk.identityForUser('strongroom'),
    issuerKey: ca.publicKey,
    // sshpk fills in the `signature` member when it signs; its typings want it up front.
    signatures: { openssh } as unknown as sshpk.CertificateOptions['signatures'],
    serial,
    validFrom: new Date(fields.validAfter * 1000),
    validUntil: new Date(fields.validBefore * 1000),
  });
  const format = sshpk.Certificate.formats.openssh as OpenSshCertFormat;
  let failure: Error | undefined;
  format.signAsync(
    cert,
    (blob, done) => done(undefined, sshpk.parseSignature(ca.sign(blob), 'ed25519', 'raw')),
    (error) => {
      failure = error;
    },
  );
  if (failure) throw failure;
  return format.write(cert, { comment: fields.keyId }).toString('ascii');
}
