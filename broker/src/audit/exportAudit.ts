import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { AuditHead, Store } from '../store/Store.js';
import type { AuditRecord } from './AuditEvent.js';
import { auditExportLines } from './auditExportLines.js';
import type { AuditSigner } from './AuditSigner.js';

export interface ExportAuditOptions {
  signer: AuditSigner;
  now?: () => number;
  /** Records read per query (default 2,000). */
  pageSize?: number;
}

/**
 * Writes the whole log as JSON Lines (format in auditExportFormat.ts) up to the head as it was when
 * the export began; appends made meanwhile belong to the next export. Honours back-pressure.
 * Resolves to the head it covered.
 */
export async function exportAudit(
  store: Store,
  out: Writable,
  options: ExportAuditOptions,
): Promise<AuditHead> {
  const head = await store.auditHead();
  const checkpoints = await store.listCheckpoints();
  const records = pages(store, head, options.pageSize ?? 2000);
  for await (const line of auditExportLines(
    { head, records, checkpoints },
    options.signer,
    options.now ?? Date.now,
  )) {
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  return head;
}

async function* pages(store: Store, head: AuditHead, pageSize: number): AsyncGenerator<AuditRecord> {
  for (let from = 1; from <= head.seq; from += pageSize) {
    yield* await store.readAudit(from, Math.min(pageSize, head.seq - from + 1));
  }
}
