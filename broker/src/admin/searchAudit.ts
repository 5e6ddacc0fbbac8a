import type { AuditRecord } from '../audit/AuditEvent.js';
import type { Store } from '../store/Store.js';

export interface AuditFilter {
  /** Case-insensitive part of the actor's email or user id. */
  actor?: string;
  /** Case-insensitive part of the activity name, e.g. `jit.` or `login`. */
  name?: string;
  /** Inclusive bounds, ms since the epoch. */
  from?: number;
  to?: number;
  outcome?: 'success' | 'failure';
  /** Paging cursor: only records with a seq below this one. */
  before?: number;
}

export interface AuditPage {
  /** Newest first. */
  records: AuditRecord[];
  /** The cursor of the next (older) page, or null at the start of the log. */
  nextBefore: number | null;
  /** True when the scan stopped at its bound before filling the page (more may match further back). */
  scanBounded: boolean;
}

const CHUNK = 500;

function matches(r: AuditRecord, f: AuditFilter): boolean {
  if (f.outcome && r.statusId !== (f.outcome === 'success' ? 1 : 2)) return false;
  if (f.from !== undefined && r.time < f.from) return false;
  if (f.to !== undefined && r.time > f.to) return false;
  if (f.name && !r.activity.toLowerCase().includes(f.name.toLowerCase())) return false;
  if (f.actor) {
    const want = f.actor.toLowerCase();
    const who = `${r.actor.email ?? ''}\u0000${r.actor.userId ?? ''}`.toLowerCase();
    if (!who.includes(want)) return false;
  }
  return true;
}

/**
 * One page of the audit explorer: walks the log backwards from the cursor in chunks (readAudit is
 * by seq) and keeps what matches. A scan reads at most `scanLimit` records per page so a filter
 * that matches nothing cannot make one request read the whole log; the page then says so and
 * offers to continue from where it stopped.
 */
export async function searchAudit(
  store: Pick<Store, 'readAudit' | 'auditHead'>,
  filter: AuditFilter,
  pageSize = 50,
  scanLimit = 20_000,
): Promise<AuditPage> {
  const head = await store.auditHead();
  let hi = Math.min(head.seq, (filter.before ?? Number.MAX_SAFE_INTEGER) - 1);
  const records: AuditRecord[] = [];
  let scanned = 0;
  while (hi >= 1 && scanned < scanLimit) {
    const lo = Math.max(1, hi - CHUNK + 1);
    const chunk = await store.readAudit(lo, hi - lo + 1);
    for (let i = chunk.length - 1; i >= 0; i--) {
      const r = chunk[i];
      if (r === undefined) continue;
      scanned++;
      if (!matches(r, filter)) continue;
      if (records.length === pageSize)
        return { records, nextBefore: records[pageSize - 1]?.seq ?? null, scanBounded: false };
      records.push(r);
    }
    hi = lo - 1;
  }
  if (hi >= 1) return { records, nextBefore: hi + 1, scanBounded: true };
  return { records, nextBefore: null, scanBounded: false };
}
