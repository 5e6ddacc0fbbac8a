import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { AuditChainVerifier } from './AuditChainVerifier.js';
import type { AuditVerifyResult } from './AuditVerifyResult.js';

export interface VerifyAuditExportOptions {
  /**
   * Key ids (RFC 7638 thumbprints) to trust. Without them the export's own key is used, which
   * detects any change made without the broker's private key; pinning also detects an export
   * re-signed end to end with another key.
   */
  trustedKeyIds?: readonly string[];
}

/**
 * Verifies an audit export offline (a file path or a stream of its bytes): the hash chain from
 * the genesis hash, every checkpoint's signature and its match with the record at its seq, and the
 * signed end line. Resolves to the first problem found (which record, and why) or a summary.
 */
export async function verifyAuditExport(
  input: string | Readable,
  options: VerifyAuditExportOptions = {},
): Promise<AuditVerifyResult> {
  const stream = typeof input === 'string' ? createReadStream(input, { highWaterMark: 1 << 20 }) : input;
  const verifier = new AuditChainVerifier(options.trustedKeyIds);
  // Lines are split and checked as bytes: record hashes are over bytes, so nothing is decoded twice.
  let rest: Buffer | undefined;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      const buf = rest ? Buffer.concat([rest, bytes]) : bytes;
      let start = 0;
      for (let nl = buf.indexOf(0x0a); nl !== -1; nl = buf.indexOf(0x0a, start)) {
        if (!verifier.push(buf.subarray(start, nl))) return verifier.finish();
        start = nl + 1;
      }
      rest = start < buf.length ? buf.subarray(start) : undefined;
    }
    // A last line without a newline still counts; a file that simply ends with one does not add a line.
    if (rest) verifier.push(rest);
    return verifier.finish();
  } finally {
    stream.destroy();
  }
}
