/** RFC 4251 §5 encodings the SSH agent protocol and key blobs use. */

export function sshUint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** `string`: uint32 length, then the bytes. */
export function sshString(data: Buffer | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return Buffer.concat([sshUint32(bytes.length), bytes]);
}

/** Reads `string`s one after another from a blob; throws on truncation. */
export function sshStringReader(blob: Buffer): { next(): Buffer; offset(): number } {
  let at = 0;
  return {
    next() {
      if (at + 4 > blob.length) throw new RangeError('truncated SSH string');
      const length = blob.readUInt32BE(at);
      if (at + 4 + length > blob.length) throw new RangeError('truncated SSH string');
      const out = blob.subarray(at + 4, at + 4 + length);
      at += 4 + length;
      return out;
    },
    offset: () => at,
  };
}
