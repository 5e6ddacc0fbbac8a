import type { Database, Statement } from 'better-sqlite3';
import { BrokerError } from '../errors/BrokerError.js';
import type { SqlRunner, SqlValue } from './SqlRunner.js';

/**
 * better-sqlite3 under the async runner interface. Statements are prepared once and cached (a
 * prepare costs far more than a run). Constraint errors become BrokerError codes.
 */
export class SqliteRunner implements SqlRunner {
  readonly #db: Database;
  readonly #statements = new Map<string, Statement>();
  #writes = 0;

  constructor(db: Database) {
    this.#db = db;
  }

  /**
   * How many statements that may write (not read-only in SQLite's sense, sqlite3_stmt_readonly)
   * have run on this connection: the store fsyncs the WAL only when this moved.
   */
  get writes(): number {
    return this.#writes;
  }

  async all<R>(sql: string, params: readonly SqlValue[] = []): Promise<R[]> {
    const statement = this.#prepare(sql);
    if (!statement.readonly) this.#writes += 1;
    return this.#guard(() => statement.all(...params) as R[]);
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    const statement = this.#prepare(sql);
    if (!statement.readonly) this.#writes += 1;
    return this.#guard(() => statement.run(...params).changes);
  }

  async insertRows(
    table: string,
    columns: readonly string[],
    rows: readonly (readonly SqlValue[])[],
  ): Promise<void> {
    const statement = this.#prepare(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
    );
    this.#writes += 1;
    this.#guard(() => {
      for (const row of rows) statement.run(...row);
    });
  }

  #prepare(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#guard(() => this.#db.prepare(sql));
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (cause) {
      throw sqliteError(cause);
    }
  }
}

export function sqliteError(cause: unknown): BrokerError {
  if (cause instanceof BrokerError) return cause;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : '';
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new BrokerError('conflict', 'a record with that key already exists', { cause });
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new BrokerError('not_found', 'a referenced record does not exist', { cause });
  }
  if (code === 'SQLITE_CONSTRAINT_CHECK') {
    return new BrokerError('invalid_request', 'a value is outside its allowed set', { cause });
  }
  return new BrokerError('store_failed', 'the SQLite store failed', { cause });
}
