import pg from 'pg';
import { BrokerError } from '../errors/BrokerError.js';
import { applyMigrations } from './applyMigrations.js';
import { ClosableRunner } from './ClosableRunner.js';
import { PostgresRunner, postgresError } from './PostgresRunner.js';
import { postgresDialect } from './SqlDialect.js';
import { SqlStore } from './SqlStore.js';
import { SqlStoreOps } from './SqlStoreOps.js';
import type { CommitChannel } from './Store.js';

export interface PostgresStoreOptions {
  /** e.g. `postgres://postgres@127.0.0.1:5432/strongroom`. */
  connectionString: string;
  /** A schema to hold the tables (created if missing); defaults to the server's search_path. */
  schema?: string;
  /** Pool size; each open transaction holds one connection. */
  maxConnections?: number;
}

const INT8_OID = 20;
const schemaName = /^[a-z_][a-z0-9_]{0,62}$/;

/** Connects, and brings the schema up to date (safe while other instances do the same). */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const store = new PostgresStore(options);
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/**
 * The scale-out store: several stateless broker instances on one database. Auto-commit calls go
 * to the pool; a transaction runs on one dedicated client between BEGIN and COMMIT/ROLLBACK.
 * Audit appends lock the chain-head row (SELECT … FOR UPDATE), so instances append one at a time
 * and the chain stays linear; migrations run under a transaction-scoped advisory lock.
 */
export class PostgresStore extends SqlStore {
  readonly kind = 'postgres';
  readonly #pool: pg.Pool;
  readonly #ops: SqlStoreOps;
  readonly #schema: string | undefined;
  readonly #connectionString: string;
  readonly #listeners = new Map<string, Set<() => void>>();
  #listenClient: Promise<pg.Client> | undefined;
  #closed = false;

  constructor(options: PostgresStoreOptions) {
    super();
    if (options.schema !== undefined && !schemaName.test(options.schema)) {
      throw new BrokerError('invalid_config', 'schema must be a lower-case SQL identifier');
    }
    this.#schema = options.schema;
    this.#connectionString = options.connectionString;
    this.#pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
      // Times and counters are BIGINT; every value the broker stores fits in 2^53.
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === INT8_OID
            ? parseInt8
            : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // An idle client losing its connection must not crash the broker; the next query reconnects.
    this.#pool.on('error', () => undefined);
    this.#ops = new SqlStoreOps(new PostgresRunner(this.#pool), postgresDialect);
  }

  async migrate(): Promise<void> {
    await this.inTransaction(
      async () => undefined,
      async (runner) => {
        // The lock comes first and is keyed on the schema's name, not on current_schema(): two
        // first starts racing `CREATE SCHEMA IF NOT EXISTS` both pass the existence check and the
        // loser fails on pg_namespace's unique index (23505), which is not an IF NOT EXISTS case.
        // Held until COMMIT: a second instance waits, then finds the schema and every migration.
        await runner.all(
          "SELECT pg_advisory_xact_lock(hashtext('strongroom.migrate.' || coalesce(?::text, current_schema(), '')))",
          [this.#schema ?? null],
        );
        if (this.#schema) await runner.run(`CREATE SCHEMA IF NOT EXISTS ${this.#schema}`);
        await applyMigrations(runner, postgresDialect, Date.now());
      },
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    const listening = this.#listenClient;
    this.#listenClient = undefined;
    if (listening) await listening.then((c) => c.end()).catch(() => undefined);
    if (this.#pool.ended || this.#pool.ending) return;
    await this.#pool.end();
  }

  async signalCommitted(channel: CommitChannel): Promise<void> {
    await this.#pool.query('SELECT pg_notify($1, $2)', [this.#channelName(channel), '']);
  }

  async onCommitted(channel: CommitChannel, listener: () => void): Promise<() => Promise<void>> {
    const name = this.#channelName(channel);
    let set = this.#listeners.get(name);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(name, set);
      const client = await this.#listening();
      await client.query(`LISTEN ${name}`);
    }
    set.add(listener);
    return async () => {
      set.delete(listener);
    };
  }

  // Channel names carry the schema so two deployments sharing one database stay apart.
  #channelName(channel: CommitChannel): string {
    return `strongroom_${this.#schema ?? 'public'}_${channel}`;
  }

  /**
   * One dedicated connection (LISTEN needs a session of its own, not a pooled one). When it drops,
   * it is re-opened and re-subscribed after a pause; meanwhile the streams' periodic re-read
   * keeps events flowing, only slower.
   */
  #listening(): Promise<pg.Client> {
    if (this.#listenClient) return this.#listenClient;
    const client = new pg.Client({ connectionString: this.#connectionString });
    const ready = client.connect().then(() => client);
    this.#listenClient = ready;
    client.on('notification', (message) => {
      for (const listener of this.#listeners.get(message.channel) ?? []) listener();
    });
    client.on('error', () => {
      if (this.#listenClient !== ready) return;
      this.#listenClient = undefined;
      void client.end().catch(() => undefined);
      if (this.#closed) return;
      setTimeout(() => void this.#resubscribe(), 1000).unref();
    });
    ready.catch(() => {
      if (this.#listenClient === ready) this.#listenClient = undefined;
    });
    return ready;
  }

  async #resubscribe(): Promise<void> {
    if (this.#closed || this.#listeners.size === 0) return;
    try {
      const client = await this.#listening();
      for (const name of this.#listeners.keys()) await client.query(`LISTEN ${name}`);
    } catch {
      if (!this.#closed) setTimeout(() => void this.#resubscribe(), 5000).unref();
    }
  }

  protected autoCommit<T>(fn: (ops: SqlStoreOps) => Promise<T>): Promise<T> {
    return fn(this.#ops);
  }

  protected async inTransaction<T>(
    fn: (ops: SqlStoreOps) => Promise<T>,
    before?: (runner: PostgresRunner) => Promise<void>,
  ): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (cause) {
      throw postgresError(cause);
    }
    const base = new PostgresRunner(client);
    const runner = new ClosableRunner(base);
    let broken: Error | undefined;
    try {
      await base.run('BEGIN');
      if (before) await before(base);
      const result = await fn(new SqlStoreOps(runner, postgresDialect, true));
      await base.run('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        // A client that cannot roll back is destroyed rather than returned to the pool.
        broken = rollbackError instanceof Error ? rollbackError : new Error('rollback failed');
      });
      throw error;
    } finally {
      runner.close();
      client.release(broken);
    }
  }
}

function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new BrokerError('store_failed', 'a stored integer exceeds 2^53');
  return n;
}
