/**
 * A FIFO async mutex. better-sqlite3 runs every statement synchronously on one connection, so an
 * open transaction that awaits would otherwise let another caller's statements run inside it.
 */
export class AsyncMutex {
  #tail: Promise<void> = Promise.resolve();

  /** Runs `fn` once every earlier caller has finished; the lock is released even if `fn` throws. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.#tail;
    this.#tail = next;
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
