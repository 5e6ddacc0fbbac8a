import type { AuditHead } from '../store/Store.js';
import type { AuditCheckpoint, AuditRecord } from './AuditEvent.js';
import type { AuditSigner } from './AuditSigner.js';
import {
  checkpointLine,
  endLine,
  endSigningInput,
  headerDigest,
  headerLine,
  recordLine,
  type AuditExportEnd,
} from './auditExportFormat.js';

export interface AuditExportSource {
  /** The head the export ends at; `records` must run from seq 1 up to it. */
  head: AuditHead;
  records: AsyncIterable<AuditRecord> | Iterable<AuditRecord>;
  /** Checkpoints in seq order; those past the head are left out. */
  checkpoints: readonly AuditCheckpoint[];
}

/** The lines of an export (auditExportFormat.ts), each without its newline. */
export async function* auditExportLines(
  source: AuditExportSource,
  signer: AuditSigner,
  now: () => number,
): AsyncGenerator<string> {
  const header = headerLine({ keys: [signer.publicJwk], exportedAt: now() });
  yield header;
  const checkpoints = source.checkpoints.filter((c) => c.seq <= source.head.seq);
  let next = 0;
  let records = 0;
  for await (const record of source.records) {
    yield recordLine(record);
    records++;
    const checkpoint = checkpoints[next];
    if (checkpoint?.seq === record.seq) {
      yield checkpointLine(checkpoint);
      next++;
    }
  }
  const end: Omit<AuditExportEnd, 'signature'> = {
    type: 'end',
    header: headerDigest(header),
    seq: source.head.seq,
    hash: source.head.hash,
    records,
    checkpoints: next,
    time: now(),
    keyId: signer.keyId,
  };
  yield endLine({ ...end, signature: signer.sign(endSigningInput(end)) });
}
