import { BrokerError } from '../errors/BrokerError.js';
import type { Store } from '../store/Store.js';
import type { AuditEventInput, AuditRecord } from './AuditEvent.js';

interface Pending {
  event: AuditEventInput;
  resolve: (record: AuditRecord) => void;
  reject: (error: unknown) => void;
}

export interface AuditWriterOptions {
  /** Most records in one commit (default 10,000). */
  maxBatch?: number;
}

/**
 * Group commit for audit-only records (events with no state change of their own, e.g. a failed
 * login or a token read): records submitted while a commit is in flight wait and go together in
 * the next one, so one fsync covers many records. Each `append` resolves only once its record is
 * durable, and rejects if its commit failed.
 *
 * Records that accompany a change are NOT written here: they go through `tx.appendAudit` in the
 * change's own transaction, so the change cannot commit without them.
 */
export class AuditWriter {
  readonly #store: Store;
  readonly #maxBatch: number;
  #queue: Pending[] = [];
  #draining = false;
  #idle: Promise<void> = Promise.resolve();

  constructor(store: Store, options: AuditWriterOptions = {}) {
    this.#store = store;
    this.#maxBatch = options.maxBatch ?? 10_000;
  }

  append(event: AuditEventInput): Promise<AuditRecord> {
    return new Promise<AuditRecord>((resolve, reject) => {
      this.#queue.push({ event, resolve, reject });
      if (!this.#draining) {
        this.#draining = true;
        // Wait one turn of the event loop so everything submitted in this turn shares the commit.
        this.#idle = new Promise<void>((done) => setImmediate(() => void this.#drain().finally(done)));
      }
    });
  }

  /** Resolves once every record submitted so far has been committed or has failed. */
  flushed(): Promise<void> {
    return this.#idle;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      try {
        const records = await this.#store.appendAuditBatch(batch.map((p) => p.event));
        batch.forEach((p, i) => {
          const record = records[i];
          if (record) p.resolve(record);
          else p.reject(new BrokerError('audit_write_failed', 'audit batch returned too few records'));
        });
      } catch {
        // One malformed event fails its whole batch; commit the rest one by one so that only
        // the bad one is refused (the store validates every event before touching the chain).
        for (const p of batch) await this.#one(p);
      }
    }
    this.#draining = false;
  }

  async #one(p: Pending): Promise<void> {
    try {
      p.resolve(await this.#store.appendAudit(p.event));
    } catch (error) {
      p.reject(error);
    }
  }
}
