import Database from 'better-sqlite3';
import { AsyncResource } from 'node:async_hooks';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { applyMigrations } from './applyMigrations.js';
import { AsyncMutex } from './AsyncMutex.js';
import { ClosableRunner } from './ClosableRunner.js';
import { sqliteDialect } from './SqlDialect.js';
import { SqliteRunner, sqliteError } from './SqliteRunner.js';
import { SqlStore } from './SqlStore.js';
import { SqlStoreOps } from './SqlStoreOps.js';

export interface SqliteStoreOptions {
  /** The database file; created with mode 0600 inside a 0700 directory when missing. */
  file: string;
  /** How long a write waits for another process's write lock before failing (ms). */
  busyTimeoutMs?: number;
}

/** The database file name inside a data directory (`--data DIR`, `STRONGROOM_DATA_DIR`). */
export const SQLITE_FILE_NAME = 'strongroom.db';

/** Opens (creating if needed) `<dataDir>/strongroom.db` and brings its schema up to date. */
export async function openSqliteStore(
  dataDir: string,
  options: Omit<SqliteStoreOptions, 'file'> = {},
): Promise<SqliteStore> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const store = new SqliteStore({ ...options, file: join(dataDir, SQLITE_FILE_NAME) });
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/**
 * The embedded store. One connection in WAL mode with `synchronous=FULL`: every commit is fsynced,
 * so an acknowledged change and its audit record survive power loss (SQLite sets `synchronous`
 * per connection, so FULL covers the audit and session tables and everything else too).
 *
 * better-sqlite3 is synchronous and the store interface is async, so one transaction can await
 * while another caller wants the connection. An async mutex serializes transactions and the
 * single-statement calls made outside them; without it those calls would run inside someone
 * else's open transaction and be rolled back with it.
 */
export class SqliteStore extends SqlStore {
  readonly kind = 'sqlite';
  readonly #db: Database.Database;
  readonly #runner: SqliteRunner;
  readonly #ops: SqlStoreOps;
  readonly #mutex = new AsyncMutex();
  readonly #queued: QueuedTransaction[] = [];
  #draining = false;
  readonly #busyTimeoutMs: number;

  constructor(options: SqliteStoreOptions) {
    super();
    // Create the file ourselves so it starts private (SQLite gives -wal/-shm the same mode).
    closeSync(openSync(options.file, 'a', 0o600));
    this.#db = new Database(options.file);
    try {
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = FULL');
      // No blocking busy wait: better-sqlite3 would block the event loop for the whole wait (and
      // deadlock against a second connection in the same process). We retry asynchronously.
      this.#db.pragma('busy_timeout = 0');
      this.#db.pragma('foreign_keys = ON');
    } catch (cause) {
      this.#db.close();
      throw sqliteError(cause);
    }
    this.#busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    this.#runner = new SqliteRunner(this.#db);
    this.#ops = new SqlStoreOps(this.#runner, sqliteDialect);
  }

  async migrate(): Promise<void> {
    // BEGIN IMMEDIATE takes the database write lock, so two processes cannot migrate at once.
    await this.inTransaction(() => applyMigrations(this.#runner, sqliteDialect, Date.now()));
  }

  async close(): Promise<void> {
    await this.#mutex.run(async () => {
      if (this.#db.open) this.#db.close();
    });
  }

  // One broker instance per SQLite file: the in-process EventHub is the whole fan-out, and a
  // second process on the same file (tests) is covered by the streams' periodic re-read.
  async signalCommitted(): Promise<void> {}

  async onCommitted(): Promise<() => Promise<void>> {
    return async () => undefined;
  }

  protected autoCommit<T>(fn: (ops: SqlStoreOps) => Promise<T>): Promise<T> {
    // Every auto-commit op is one statement, so a busy failure means it did nothing: retry is safe.
    return this.#mutex.run(() => this.#whenNotBusy(() => fn(this.#ops)));
  }

  /**
   * Group commit: transactions that queue up while one runs are run after it inside the same
   * SQLite transaction, each in its own SAVEPOINT (so each still commits or rolls back whole), and
   * one COMMIT, one fsync, makes them all durable. Every caller is answered only after that COMMIT,
   * so nobody sees a result that a crash could take back; if the COMMIT fails, all of them fail.
   */
  protected inTransaction<T>(fn: (ops: SqlStoreOps) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // Each fn runs later, maybe from another caller's drain: run it in its own caller's async
      // context so AsyncLocalStorage (request ids, the nested-transaction guard) stays its own.
      // (runInAsyncScope, as AsyncResource.bind does, without bind's per-call property definitions.)
      const scope = new AsyncResource('strongroom.sqliteTransaction');
      this.#queued.push({
        fn: (ops: SqlStoreOps) => scope.runInAsyncScope(fn, undefined, ops),
        resolve,
        reject,
      } as QueuedTransaction);
      if (!this.#draining) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#queued.length > 0) await this.#mutex.run(() => this.#runGroup());
    } finally {
      this.#draining = false;
    }
  }

  async #runGroup(): Promise<void> {
    try {
      await this.#whenNotBusy(async () => this.#exec('BEGIN IMMEDIATE'));
    } catch (error) {
      for (const t of this.#queued.splice(0)) t.reject(error);
      return;
    }
    const done: { t: QueuedTransaction; result: unknown }[] = [];
    for (let t = this.#queued.shift(); t; t = done.length < MAX_GROUP ? this.#queued.shift() : undefined) {
      const runner = new ClosableRunner(this.#runner);
      try {
        this.#exec('SAVEPOINT tx');
        const result = await t.fn(new SqlStoreOps(runner, sqliteDialect, true));
        this.#exec('RELEASE tx');
        done.push({ t, result });
      } catch (error) {
        t.reject(error);
        if (!this.#db.inTransaction) {
          // SQLite rolled the whole transaction back (e.g. disk full): the group is lost.
          for (const d of done.splice(0)) d.t.reject(error);
          return;
        }
        this.#exec('ROLLBACK TO tx');
        this.#exec('RELEASE tx');
      } finally {
        runner.close();
      }
    }
    try {
      // A busy COMMIT leaves the transaction open and may be retried (sqlite.org/lang_transaction.html).
      await this.#whenNotBusy(async () => this.#exec('COMMIT'));
    } catch (error) {
      if (this.#db.inTransaction) this.#exec('ROLLBACK');
      for (const d of done) d.t.reject(error);
      return;
    }
    for (const d of done) d.t.resolve(d.result);
  }

  /** Retries `fn` while another connection holds the write lock, up to the busy timeout. */
  async #whenNotBusy<T>(fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.#busyTimeoutMs;
    for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
      try {
        return await fn();
      } catch (error) {
        if (!isBusy(error) || Date.now() + delay > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  #exec(sql: string): void {
    try {
      this.#db.exec(sql);
    } catch (cause) {
      throw sqliteError(cause);
    }
  }
}

function isBusy(error: unknown): boolean {
  const cause = error instanceof Error ? error.cause : undefined;
  return typeof cause === 'object' && cause !== null && 'code' in cause && cause.code === 'SQLITE_BUSY';
}

/** Most transactions sharing one COMMIT: bounds how long the first of them waits for its answer. */
const MAX_GROUP = 64;

interface QueuedTransaction {
  fn: (ops: SqlStoreOps) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}
