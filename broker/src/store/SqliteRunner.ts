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

  constructor(db: Database) {
    this.#db = db;
  }

  async all<R>(sql: string, params: readonly SqlValue[] = []): Promise<R[]> {
    return this.#guard(() => this.#prepare(sql).all(...params) as R[]);
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.#guard(() => this.#prepare(sql).run(...params).changes);
  }

  async insertRows(
    table: string,
    columns: readonly string[],
    rows: readonly (readonly SqlValue[])[],
  ): Promise<void> {
    const statement = this.#prepare(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
    );
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
