import Database from 'better-sqlite3';
import { AsyncResource } from 'node:async_hooks';
import { closeSync, fdatasync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { BrokerError } from '../errors/BrokerError.js';
import { applyMigrations } from './applyMigrations.js';
import { AsyncMutex } from './AsyncMutex.js';
import { SqliteCheckpointer } from './SqliteCheckpointer.js';
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
  /**
   * Makes the WAL file durable (fdatasync on the libuv thread pool). Tests replace it to hold or
   * fail the sync and check that no answer goes out before it.
   */
  syncWal?: (fd: number) => Promise<void>;
}

const fdatasyncAsync = (fd: number): Promise<void> =>
  new Promise((resolve, reject) => {
    fdatasync(fd, (error) => (error ? reject(error) : resolve()));
  });

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
 * The embedded store. One connection in WAL mode, and every commit is fsynced before anyone is
 * answered, so an acknowledged change and its audit record survive power loss (this covers the
 * audit and session tables and everything else too).
 *
 * The fsync is off the event loop. With `synchronous=FULL`, SQLite fsyncs the WAL inside COMMIT,
 * and better-sqlite3 is synchronous, so the whole process stood still for the fsync (0.1 to over
 * 3 ms here, more on a busy disk). Instead the connection runs with `synchronous=NORMAL`, which in
 * WAL mode differs from FULL only in that COMMIT does not fsync the WAL (SQLite still syncs the
 * WAL header when it restarts the WAL and both files at checkpoints; a crash can only lose commits
 * after the last WAL sync, never corrupt), and the store itself fdatasyncs the WAL file on the
 * libuv thread pool after the COMMIT and before it answers any caller. So nothing is answered that
 * a power loss could take back, as with FULL: a transaction, a single-statement write, and also a
 * read, which waits while something it may have seen is not yet durable. Meanwhile the event loop
 * serves other requests and the next group's statements run; one fdatasync covers every commit
 * before it started. If an fdatasync fails, whether the data reached the disk is unknown (and a
 * retry could falsely succeed), so the store fails every later call: restart and SQLite recovers
 * from what is on disk. If the file system cannot do WAL, the connection keeps `synchronous=FULL`.
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
  readonly #walFile: string | undefined;
  readonly #syncWal: (fd: number) => Promise<void>;
  #walFd: number | undefined;
  /** Runs WAL checkpoints on a worker thread (WAL mode only). */
  readonly #checkpointer: SqliteCheckpointer | undefined;
  /** The write count when a checkpoint was last asked for. */
  #checkpointAskedAt = 0;
  /** The runner's write count as of the last COMMIT (what an fdatasync started now makes durable). */
  #committed = 0;
  /** The write count the last completed WAL fdatasync covered. */
  #durable = 0;
  #syncing: Promise<void> | undefined;
  /** Set when a WAL fdatasync failed: every later call fails with it. */
  #failed: Error | undefined;

  constructor(options: SqliteStoreOptions) {
    super();
    // Create the file ourselves so it starts private (SQLite gives -wal/-shm the same mode).
    closeSync(openSync(options.file, 'a', 0o600));
    this.#db = new Database(options.file);
    try {
      const wal = this.#db.pragma('journal_mode = WAL', { simple: true }) === 'wal';
      // See the class comment: NORMAL plus our own WAL fdatasync before answering; FULL otherwise.
      this.#db.pragma(wal ? 'synchronous = NORMAL' : 'synchronous = FULL');
      this.#walFile = wal ? `${options.file}-wal` : undefined;
      // Checkpoints run on a worker (SqliteCheckpointer); SQLite's own, in a COMMIT on the event
      // loop, only if the WAL grows well past what the worker is asked to keep up with.
      if (wal) this.#db.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
      this.#checkpointer = wal ? new SqliteCheckpointer(options.file) : undefined;
      // No blocking busy wait: better-sqlite3 would block the event loop for the whole wait (and
      // deadlock against a second connection in the same process). We retry asynchronously.
      this.#db.pragma('busy_timeout = 0');
      this.#db.pragma('foreign_keys = ON');
    } catch (cause) {
      this.#db.close();
      throw sqliteError(cause);
    }
    this.#busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    this.#syncWal = options.syncWal ?? fdatasyncAsync;
    this.#runner = new SqliteRunner(this.#db);
    this.#ops = new SqlStoreOps(this.#runner, sqliteDialect);
  }

  async migrate(): Promise<void> {
    // BEGIN IMMEDIATE takes the database write lock, so two processes cannot migrate at once.
    await this.inTransaction(() => applyMigrations(this.#runner, sqliteDialect, Date.now()));
  }

  async close(): Promise<void> {
    await this.#mutex.run(async () => {
      // Every commit durable first (callers still waiting share this sync), then nothing syncs again.
      await this.#durableNow().catch(() => undefined);
      if (this.#walFd !== undefined) closeSync(this.#walFd);
      this.#walFd = undefined;
      await this.#checkpointer?.close();
      if (this.#db.open) this.#db.close();
    });
  }

  // One broker instance per SQLite file: the in-process EventHub is the whole fan-out, and a
  // second process on the same file (tests) is covered by the streams' periodic re-read.
  async signalCommitted(): Promise<void> {}

  async onCommitted(): Promise<() => Promise<void>> {
    return async () => undefined;
  }

  protected async autoCommit<T>(fn: (ops: SqlStoreOps) => Promise<T>): Promise<T> {
    // Every auto-commit op is one statement, so a busy failure means it did nothing: retry is safe.
    let result: T;
    try {
      result = await this.#mutex.run(async () => {
        this.#throwIfFailed();
        try {
          return await this.#whenNotBusy(() => fn(this.#ops));
        } finally {
          // Outside a transaction each statement committed as it ran.
          this.#committed = this.#runner.writes;
          this.#askForCheckpoint();
        }
      });
    } catch (error) {
      // Even a refusal may rest on something not yet durable (a conflict with a fresh record).
      await this.#durableNow().catch(() => undefined);
      throw error;
    }
    await this.#durableNow();
    return result;
  }

  /**
   * Group commit: transactions that queue up while one runs are run after it inside the same
   * SQLite transaction, each in its own SAVEPOINT (so each still commits or rolls back whole), and
   * one COMMIT and one WAL fdatasync make them all durable. Every caller is answered only after
   * both, so nobody sees a result that a crash could take back; if either fails, all of them fail.
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
      this.#throwIfFailed();
      await this.#whenNotBusy(async () => this.#exec('BEGIN IMMEDIATE'));
    } catch (error) {
      for (const t of this.#queued.splice(0)) t.reject(error);
      return;
    }
    const done: { t: QueuedTransaction; result: unknown }[] = [];
    const refused: { t: QueuedTransaction; error: unknown }[] = [];
    for (let t = this.#queued.shift(); t; t = done.length < MAX_GROUP ? this.#queued.shift() : undefined) {
      const runner = new ClosableRunner(this.#runner);
      try {
        this.#exec('SAVEPOINT tx');
        const result = await t.fn(new SqlStoreOps(runner, sqliteDialect, true));
        this.#exec('RELEASE tx');
        done.push({ t, result });
      } catch (error) {
        if (!this.#db.inTransaction) {
          // SQLite rolled the whole transaction back (e.g. disk full): the group is lost.
          t.reject(error);
          for (const d of done.splice(0)) d.t.reject(error);
          for (const r of refused.splice(0)) r.t.reject(r.error);
          return;
        }
        refused.push({ t, error });
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
      for (const r of refused) r.t.reject(r.error);
      return;
    }
    this.#committed = this.#runner.writes;
    this.#askForCheckpoint();
    // Answered once the WAL is synced (refusals too: one may rest on something not yet durable);
    // the mutex is released now, so the next group runs meanwhile.
    this.#durableNow().then(
      () => {
        for (const d of done) d.t.resolve(d.result);
        for (const r of refused) r.t.reject(r.error);
      },
      (error: unknown) => {
        for (const d of done) d.t.reject(error);
        for (const r of refused) r.t.reject(r.error);
      },
    );
  }

  /**
   * Resolves once every commit made so far is on disk: at once if the last WAL fdatasync covered
   * them, else after one that started after them (one in flight may not cover them, so wait for it
   * and start another; every caller waiting meanwhile shares that one).
   */
  async #durableNow(): Promise<void> {
    const target = this.#committed;
    while (this.#durable < target) {
      this.#throwIfFailed();
      if (!this.#syncing) {
        const upTo = this.#committed;
        this.#syncing = this.#syncWalFile().then(
          () => {
            this.#durable = Math.max(this.#durable, upTo);
            this.#syncing = undefined;
          },
          (cause: unknown) => {
            this.#failed ??= new BrokerError('store_failed', 'syncing the SQLite WAL to disk failed', {
              cause,
            });
            this.#syncing = undefined;
          },
        );
      }
      await this.#syncing;
    }
    this.#throwIfFailed();
  }

  async #syncWalFile(): Promise<void> {
    if (this.#walFile === undefined) return; // not WAL: COMMIT synced (synchronous=FULL)
    // SQLite keeps the -wal file (same inode) while this connection is open; it deletes it only
    // when the last connection closes, and close() waits for the sync in flight first.
    // Opened read-write though never written: Windows flushes only handles with write access.
    this.#walFd ??= openSync(this.#walFile, 'r+');
    await this.#syncWal(this.#walFd);
  }

  #askForCheckpoint(): void {
    if (!this.#checkpointer || this.#committed - this.#checkpointAskedAt < CHECKPOINT_EVERY_WRITES) return;
    this.#checkpointAskedAt = this.#committed;
    this.#checkpointer.request();
  }

  /** Checkpoints the worker has run (tests). */
  get checkpointsRun(): number {
    return this.#checkpointer?.completed ?? 0;
  }

  #throwIfFailed(): void {
    if (this.#failed) throw this.#failed;
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

/**
 * Write statements between checkpoint requests to the worker: a token refresh makes about six
 * and writes about ten WAL pages, so this keeps the WAL near a few hundred pages.
 */
const CHECKPOINT_EVERY_WRITES = 256;
/** SQLite's automatic checkpoint (pages; its default is 1000), left only as the backstop. */
const BACKSTOP_CHECKPOINT_PAGES = 10_000;

/** Most transactions sharing one COMMIT: bounds how long the first of them waits for its answer. */
const MAX_GROUP = 64;

interface QueuedTransaction {
  fn: (ops: SqlStoreOps) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}
