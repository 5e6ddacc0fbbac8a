import { generateKeyPairSync } from 'node:crypto';
import { Readable } from 'node:stream';
import type { AuditEventInput } from './AuditEvent.js';
import { auditExportLines } from './auditExportLines.js';
import { auditSignerFromJwk, type AuditSigner } from './AuditSigner.js';
import { chainAuditRecords } from './chainAuditRecords.js';
import { checkpointSigningInput } from './checkpointSigningInput.js';
import { GENESIS_HASH } from './hashAuditRecord.js';
import { verifyAuditExport, type VerifyAuditExportOptions } from './verifyAuditExport.js';
import type { AuditVerifyResult } from './AuditVerifyResult.js';

/** Test and benchmark support: a fresh signing key, in-memory exports, and verifying lines. */
export function makeAuditSigner(): Promise<AuditSigner> {
  return auditSignerFromJwk(generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }));
}

/** An export of `events`, chained from the genesis hash, with a checkpoint after every seq in `checkpointAt`. */
export async function buildAuditExport(
  events: readonly AuditEventInput[],
  signer: AuditSigner,
  checkpointAt: (seq: number) => boolean,
  time = 1_750_000_000_000,
): Promise<string[]> {
  const records = chainAuditRecords({ seq: 0, hash: GENESIS_HASH }, events).map((c) => c.record);
  const checkpoints = records
    .filter((r) => checkpointAt(r.seq))
    .map((r) => {
      const body = { seq: r.seq, hash: r.hash, time };
      return { ...body, keyId: signer.keyId, signature: signer.sign(checkpointSigningInput(body)) };
    });
  const last = records[records.length - 1];
  const head = last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: GENESIS_HASH };
  const lines: string[] = [];
  for await (const line of auditExportLines({ head, records, checkpoints }, signer, () => time))
    lines.push(line);
  return lines;
}

export function verifyLines(
  lines: readonly string[],
  options?: VerifyAuditExportOptions,
): Promise<AuditVerifyResult> {
  return verifyAuditExport(Readable.from([lines.map((l) => `${l}\n`).join('')]), options);
}
