import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Files under `dirs` changed since `since` that hold private key material or the key certified by
 * `certBlobBase64` (an Ed25519 OpenSSH certificate's base64 blob): PEM/OpenSSH private key markers,
 * or the certified public key in any common encoding (any file format holding the key pair holds
 * it). `process.cwd()` is scanned one level deep, every other directory 20 levels.
 */
export function keyMaterialIn(dirs: readonly string[], certBlobBase64: string, since: number): string[] {
  const cert = Buffer.from(certBlobBase64, 'base64');
  // Certificate blob: string type, string nonce, string pk (the 32-byte Ed25519 public key).
  const typeLength = cert.readUInt32BE(0);
  const nonceAt = 4 + typeLength;
  const pkAt = nonceAt + 4 + cert.readUInt32BE(nonceAt) + 4;
  const publicKey = cert.subarray(pkAt, pkAt + 32);
  const needles = [
    Buffer.from('PRIVATE KEY'),
    Buffer.from('openssh-key-v1'),
    publicKey,
    Buffer.from(publicKey.toString('base64')),
    Buffer.from(publicKey.toString('base64url')),
    Buffer.from(publicKey.toString('hex')),
  ];
  const hits: string[] = [];
  const walk = (dir: string, depth: number): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && depth > 0 && entry.name !== 'node_modules' && entry.name !== '.git')
        walk(path, depth - 1);
      else if (entry.isFile() && statSync(path).mtimeMs >= since) {
        const content = readFileSync(path);
        if (needles.some((n) => content.includes(n))) hits.push(path);
      }
    }
  };
  for (const dir of dirs) walk(dir, dir === process.cwd() ? 0 : 20);
  return hits;
}
