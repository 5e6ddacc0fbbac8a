import { BrokerError } from '../errors/BrokerError.js';
import type { SqlRunner, SqlValue } from './SqlRunner.js';

/**
 * The runner a transaction hands out. Once the transaction has settled it refuses every call: a
 * late, un-awaited write would otherwise run outside the transaction it was written for.
 */
export class ClosableRunner implements SqlRunner {
  readonly #inner: SqlRunner;
  #open = true;

  constructor(inner: SqlRunner) {
    this.#inner = inner;
  }

  close(): void {
    this.#open = false;
  }

  all<R>(sql: string, params?: readonly SqlValue[]): Promise<R[]> {
    return this.#check() ?? this.#inner.all<R>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.#check() ?? this.#inner.run(sql, params);
  }

  insertRows(
    table: string,
    columns: readonly string[],
    rows: readonly (readonly SqlValue[])[],
  ): Promise<void> {
    return this.#check() ?? this.#inner.insertRows(table, columns, rows);
  }

  #check(): Promise<never> | undefined {
    if (this.#open) return undefined;
    return Promise.reject(
      new BrokerError('store_failed', 'transaction handle used after the transaction ended'),
    );
  }
}
