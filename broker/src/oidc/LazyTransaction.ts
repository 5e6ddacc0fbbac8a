import type { Store, StoreOps } from '../store/Store.js';

type Outcome = { ok: true } | { ok: false; error: unknown };

/**
 * One store transaction that begins when first asked for (`ops()`) and ends when its owner says
 * (`end()`): commits on `{ ok: true }`, rolls back on `{ ok: false }`. `end()` settles only after
 * the COMMIT (durable) or the rollback, and rethrows what made the transaction fail. A transaction
 * never begun needs no commit: `end({ ok: true })` returns at once.
 */
export class LazyTransaction {
  readonly #store: Store;
  #ops: Promise<StoreOps> | undefined;
  #ready: StoreOps | undefined;
  #settled: Promise<void> | undefined;
  #finish: ((outcome: Outcome) => void) | undefined;

  constructor(store: Store) {
    this.#store = store;
  }

  ops(): Promise<StoreOps> {
    this.#ops ??= new Promise<StoreOps>((resolveOps, rejectOps) => {
      const finished = new Promise<void>((resolve, reject) => {
        this.#finish = (outcome) => (outcome.ok ? resolve() : reject(outcome.error));
      });
      this.#settled = this.#store.transaction(async (tx) => {
        this.#ready = tx;
        resolveOps(tx);
        await finished;
      });
      // If BEGIN fails the transaction function never runs: the waiting store call fails with it.
      this.#settled.catch(rejectOps);
    });
    return this.#ops;
  }

  /**
   * The transaction's ops once it has begun, else undefined: lets a caller that would only
   * `await ops()` again call straight in (one promise and one microtask less per store call).
   * Cleared when the transaction ends, so nothing can use a settled transaction through it.
   */
  ready(): StoreOps | undefined {
    return this.#ready;
  }

  async end(outcome: Outcome): Promise<void> {
    if (!this.#settled) {
      if (!outcome.ok) throw outcome.error;
      return;
    }
    this.#ready = undefined;
    this.#finish?.(outcome);
    await this.#settled;
  }
}
