import type { Pool, PoolClient } from 'pg';
import { BrokerError } from '../errors/BrokerError.js';
import type { SqlRunner, SqlValue } from './SqlRunner.js';

/** Rows per multi-row INSERT: well under PostgreSQL's 65,535 bind parameters. */
const INSERT_CHUNK = 500;

/** `pg` (a pool for auto-commit, or one client for a transaction) under the runner interface. */
export class PostgresRunner implements SqlRunner {
  readonly #db: Pool | PoolClient;

  constructor(db: Pool | PoolClient) {
    this.#db = db;
  }

  async all<R>(sql: string, params: readonly SqlValue[] = []): Promise<R[]> {
    try {
      const result = await this.#db.query(numbered(sql), [...params]);
      return result.rows as R[];
    } catch (cause) {
      throw postgresError(cause);
    }
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    try {
      const result = await this.#db.query(numbered(sql), [...params]);
      return result.rowCount ?? 0;
    } catch (cause) {
      throw postgresError(cause);
    }
  }

  async insertRows(
    table: string,
    columns: readonly string[],
    rows: readonly (readonly SqlValue[])[],
  ): Promise<void> {
    for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
      const chunk = rows.slice(start, start + INSERT_CHUNK);
      const tuple = `(${columns.map(() => '?').join(', ')})`;
      await this.run(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${chunk.map(() => tuple).join(', ')}`,
        chunk.flat(),
      );
    }
  }
}

const numberedCache = new Map<string, string>();

/** Rewrites `?` placeholders to `$1, $2, …` (the SQL written for both engines never quotes a `?`). */
function numbered(sql: string): string {
  let out = numberedCache.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    if (numberedCache.size < 1000) numberedCache.set(sql, out);
  }
  return out;
}

export function postgresError(cause: unknown): BrokerError {
  if (cause instanceof BrokerError) return cause;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : '';
  // SQLSTATE classes: https://www.postgresql.org/docs/current/errcodes-appendix.html
  if (code === '23505')
    return new BrokerError('conflict', 'a record with that key already exists', { cause });
  if (code === '23503') return new BrokerError('not_found', 'a referenced record does not exist', { cause });
  if (code === '23514')
    return new BrokerError('invalid_request', 'a value is outside its allowed set', { cause });
  return new BrokerError('store_failed', 'the PostgreSQL store failed', { cause });
}
