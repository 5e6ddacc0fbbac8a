import type { IdentifyProcess, ProcessIdentity } from './processIdentity.js';

export interface ProcessWatcherOptions {
  readonly identify: IdentifyProcess;
  /** How often every watched process is looked at; default 1.5 s. */
  readonly intervalMs?: number;
}

interface Watch {
  readonly pid: number;
  readonly identity: ProcessIdentity;
  readonly onExit: () => void;
}

/**
 * Calls back when a process exits (issue 6: a terminal's token dies with the shell that holds it).
 * One timer for every watched process, unref'd so it never keeps the agent alive, running only while
 * something is watched. A process counts as exited when its pid is gone or now names a process that
 * started at another time (a reused pid) or belongs to another user.
 */
export class ProcessWatcher {
  readonly #identify: IdentifyProcess;
  readonly #intervalMs: number;
  readonly #watches = new Set<Watch>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: ProcessWatcherOptions) {
    this.#identify = options.identify;
    this.#intervalMs = options.intervalMs ?? 1_500;
  }

  /**
   * Watches the process `identity` describes (from `identify`, taken before anything was handed to
   * it). Returns the function that stops watching. If it has already gone, `onExit` runs at the
   * next tick.
   */
  watch(pid: number, identity: ProcessIdentity, onExit: () => void): () => void {
    const watch: Watch = { pid, identity, onExit };
    this.#watches.add(watch);
    this.#timer ??= setInterval(() => this.check(), this.#intervalMs).unref();
    return () => this.#drop(watch);
  }

  get size(): number {
    return this.#watches.size;
  }

  /** One round over every watched process (the timer's work). */
  check(): void {
    for (const watch of [...this.#watches]) {
      if (this.#alive(watch)) continue;
      this.#drop(watch);
      try {
        watch.onExit();
      } catch {
        // one watcher's failure must not stop the others
      }
    }
  }

  close(): void {
    this.#watches.clear();
    this.#stop();
  }

  #alive(watch: Watch): boolean {
    const now = this.#identify(watch.pid);
    if (now === undefined) return false;
    if (watch.identity.start !== null && now.start !== watch.identity.start) return false;
    return now.uid === watch.identity.uid;
  }

  #drop(watch: Watch): void {
    this.#watches.delete(watch);
    if (this.#watches.size === 0) this.#stop();
  }

  #stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
