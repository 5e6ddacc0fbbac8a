import type { AuditCheckpoint } from './AuditEvent.js';
import { canonicalJson } from './canonicalJson.js';

/** The exact bytes a checkpoint signature covers: canonical JSON of `{hash, seq, time}`. */
export function checkpointSigningInput(c: Pick<AuditCheckpoint, 'seq' | 'hash' | 'time'>): string {
  return canonicalJson({ seq: c.seq, hash: c.hash, time: c.time });
}
