/**
 * In-process "new user events were committed" signal. The events themselves are in the store
 * (user_events); listeners re-read from their cursor, so a missed signal costs latency, never an
 * event. Other broker instances on the same PostgreSQL are woken through the store's commit
 * signal (LISTEN/NOTIFY, Store.signalCommitted/onCommitted, wired in registerJit); each stream's
 * periodic re-read is the fallback when a signal is lost.
 */
export class EventHub {
  readonly #listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  notify(): void {
    for (const listener of this.#listeners) listener();
  }

  get size(): number {
    return this.#listeners.size;
  }
}
