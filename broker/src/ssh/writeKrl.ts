/**
 * OpenSSH key revocation lists (PROTOCOL.krl in the OpenSSH sources). sshpk reads and writes keys
 * and certificates but not KRLs, and the part we need is small: the header and one certificate
 * section naming our CA with a list of revoked serials. sshd (`RevokedKeys`) and `ssh-keygen -Q`
 * read it; the tests check both.
 */

/** "SSHKRL\n\0" */
const KRL_MAGIC = 0x5353484b524c0a00n;
const KRL_FORMAT_VERSION = 1;
const KRL_SECTION_CERTIFICATES = 1;
const KRL_SECTION_CERT_SERIAL_LIST = 0x20;
const U64_MAX = (1n << 64n) - 1n;

export interface KrlContents {
  /** The CA's public key in SSH wire form (RFC 4253 §6.6 blob: `sshpk.Key.toBuffer('rfc4253')`). */
  caKeyBlob: Buffer;
  /** Revoked certificate serials, 1 … 2^64-1 (OpenSSH refuses 0); order and duplicates do not matter. */
  serials: readonly bigint[];
  /** Increases whenever the list changes (hosts may log it). */
  version: bigint;
  /** Seconds since the epoch. */
  generatedAt: number;
  comment?: string;
}

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const u64 = (n: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b;
};
/** RFC 4251 §5 `string`: uint32 length, then the bytes. */
const sshString = (data: Buffer): Buffer => Buffer.concat([u32(data.length), data]);
const section = (type: number, data: Buffer): Buffer => Buffer.concat([Buffer.of(type), sshString(data)]);

export function writeKrl(contents: KrlContents): Buffer {
  const serials = [...new Set(contents.serials)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const s of serials) if (s <= 0n || s > U64_MAX) throw new RangeError(`serial ${s} is not 1..2^64-1`);
  if (contents.version < 0n || contents.version > U64_MAX) throw new RangeError('KRL version out of range');
  const header = Buffer.concat([
    u64(KRL_MAGIC),
    u32(KRL_FORMAT_VERSION),
    u64(contents.version),
    u64(BigInt(Math.floor(contents.generatedAt))),
    u64(0n), // flags: none are defined
    sshString(Buffer.alloc(0)), // reserved
    sshString(Buffer.from(contents.comment ?? '', 'utf8')),
  ]);
  if (serials.length === 0) return header; // a KRL with no sections revokes nothing
  const certificates = Buffer.concat([
    // The section applies to certificates signed by this CA only (an empty ca_key would mean any CA).
    sshString(contents.caKeyBlob),
    sshString(Buffer.alloc(0)), // reserved
    section(KRL_SECTION_CERT_SERIAL_LIST, Buffer.concat(serials.map(u64))),
  ]);
  return Buffer.concat([header, section(KRL_SECTION_CERTIFICATES, certificates)]);
}
