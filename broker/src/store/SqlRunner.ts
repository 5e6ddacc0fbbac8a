/**
 * The one thing the shared SQL code needs from a driver. SQL uses `?` placeholders; the
 * PostgreSQL runner numbers them. Drivers map their constraint errors to BrokerError codes.
 */
export interface SqlRunner {
  all<R>(sql: string, params?: readonly SqlValue[]): Promise<R[]>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Inserts many rows into one table in order (a driver may batch them into fewer statements). */
  insertRows(
    table: string,
    columns: readonly string[],
    rows: readonly (readonly SqlValue[])[],
  ): Promise<void>;
}

export type SqlValue = string | number | Buffer | null;
