/**
 * Runs an async task one run at a time: `kick()` starts it, and kicks that arrive while it runs
 * coalesce into exactly one more run after it (so work committed meanwhile is never missed, and a
 * burst of kicks costs two runs, not one per kick). Used by the detector runner and the outbox.
 */
export class CoalescedTask {
  readonly #task: () => Promise<void>;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(task: () => Promise<void>) {
    this.#task = task;
  }

  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#task().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.kick();
      }
    });
  }

  /** The run in flight, if any (to wait for one pass). */
  get current(): Promise<void> | undefined {
    return this.#running;
  }

  /** Resolves once no run is in flight (including those kicked meanwhile). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** No more runs start; resolves once the one in flight has finished. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.idle();
  }
}
