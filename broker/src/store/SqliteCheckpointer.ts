import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The worker's code: its own better-sqlite3 connection to the same file, which runs a PASSIVE WAL
 * checkpoint (copy committed WAL frames into the database file, then fsync the WAL and the
 * database) whenever asked. PASSIVE never waits for or blocks the store's connection: it copies
 * what no reader still needs and leaves the rest for the next time. Plain CommonJS run with
 * `eval`, so the same code runs from dist and under the test runner (which serves .ts sources).
 */
const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 0');
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, log: result.log, checkpointed: result.checkpointed });
  } catch (error) {
    parentPort.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) });
  }
});
`;

/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the COMMIT that
 * finds the WAL over its limit: better-sqlite3 is synchronous, so the store's event loop stood
 * still while the checkpoint copied pages and fsynced both files (8-16 ms at load ~7 on this
 * machine, every ~100 token-refresh groups). The store asks for a checkpoint every so many writes
 * and a worker thread with its own connection runs it; the store keeps SQLite's automatic
 * checkpoint at a higher limit as the backstop if the worker falls behind or is gone.
 * The worker starts at the first request (most short-lived stores never ask) and does not keep the
 * process alive.
 */
export class SqliteCheckpointer {
  readonly #file: string;
  #worker: Worker | undefined;
  #busy = false;
  #broken = false;
  #completed = 0;

  constructor(file: string) {
    this.#file = file;
  }

  /** Checkpoints the worker has answered (tests). */
  get completed(): number {
    return this.#completed;
  }

  /** Asks for a checkpoint unless one is running (then the next request covers these frames). */
  request(): void {
    if (this.#busy || this.#broken) return;
    const worker = this.#start();
    if (!worker) return;
    this.#busy = true;
    worker.postMessage('checkpoint');
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    this.#broken = true;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // Unref'd so it never keeps a process alive, but closing waits for it: without ref() a process
    // whose last work is this close (a CLI command) would end with the promise unsettled (exit 13).
    worker.ref();
    worker.postMessage('close');
    await exited;
  }

  #start(): Worker | undefined {
    if (this.#worker) return this.#worker;
    try {
      const worker = new Worker(WORKER_CODE, {
        eval: true,
        // Not the parent's flags: `--input-type=module` (a script given with -e) would make this
        // CommonJS code fail to load, and every checkpoint would fall back to the event loop.
        execArgv: [],
        workerData: { file: this.#file, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
      });
      worker.unref();
      worker.on('message', () => {
        this.#busy = false;
        this.#completed += 1;
      });
      // A broken worker leaves checkpoints to SQLite's automatic backstop (on the event loop).
      const stop = (): void => {
        this.#broken = true;
        this.#busy = false;
        this.#worker = undefined;
      };
      worker.on('error', stop);
      worker.on('exit', stop);
      this.#worker = worker;
      return worker;
    } catch {
      this.#broken = true;
      return undefined;
    }
  }
}
