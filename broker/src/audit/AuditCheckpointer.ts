import type { Store } from '../store/Store.js';
import type { AuditSigner } from './AuditSigner.js';
import { writeCheckpoint } from './writeCheckpoint.js';

export interface AuditCheckpointerOptions {
  /** Checkpoint once this many records are unsigned (default 1,000). */
  everyRecords?: number;
  /** …or once the oldest unsigned record is this old (default 60 s). */
  everyMs?: number;
  /** How often the head is looked at (default 1 s). */
  pollMs?: number;
  now?: () => number;
}

/**
 * Signs a checkpoint every N records or T milliseconds, whichever comes first. It polls the chain
 * head rather than hooking every append, so appends made by any broker instance count. A tail
 * written after the last checkpoint is still covered by the chain and by the signed trailer of
 * every export; `stop()` signs a final checkpoint on shutdown.
 */
export class AuditCheckpointer {
  readonly #store: Store;
  readonly #signer: AuditSigner;
  readonly #everyRecords: number;
  readonly #everyMs: number;
  readonly #pollMs: number;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> = Promise.resolve();
  /** When records past the last checkpoint were first seen (ms), if any are. */
  #unsignedSince: number | undefined;

  constructor(store: Store, signer: AuditSigner, options: AuditCheckpointerOptions = {}) {
    this.#store = store;
    this.#signer = signer;
    this.#everyRecords = options.everyRecords ?? 1000;
    this.#everyMs = options.everyMs ?? 60_000;
    this.#pollMs = options.pollMs ?? 1000;
    this.#now = options.now ?? Date.now;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      // A failed tick is retried on the next one; a checkpoint is never required for a commit.
      this.#running = this.#running.then(() => this.tick()).catch(() => undefined);
    }, this.#pollMs);
    this.#timer.unref();
  }

  /** Stops polling and signs whatever is unsigned. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
    await writeCheckpoint(this.#store, this.#signer, this.#now());
  }

  /** One look at the head; signs a checkpoint if N records or T ms have passed unsigned. */
  async tick(): Promise<boolean> {
    const [head, last] = await Promise.all([this.#store.auditHead(), this.#store.lastCheckpoint()]);
    const signedSeq = last?.seq ?? 0;
    if (head.seq <= signedSeq) {
      this.#unsignedSince = undefined;
      return false;
    }
    const now = this.#now();
    this.#unsignedSince ??= now;
    if (head.seq - signedSeq < this.#everyRecords && now - this.#unsignedSince < this.#everyMs) return false;
    const written = await writeCheckpoint(this.#store, this.#signer, now);
    this.#unsignedSince = undefined;
    return written !== undefined;
  }
}
