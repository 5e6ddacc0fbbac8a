/** The few places where the SQL of SQLite and PostgreSQL differ. */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /** Column type for raw bytes. */
  readonly bytes: string;
  /** Column definition of the audit sequence number (SQLite: a rowid alias, the fastest key). */
  readonly seqKey: string;
  /** Appended to the chain-head read: PostgreSQL locks the row so appends from every instance serialize. */
  readonly forUpdate: string;
}

export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  bytes: 'BLOB',
  seqKey: 'INTEGER PRIMARY KEY',
  forUpdate: '',
};

export const postgresDialect: SqlDialect = {
  name: 'postgres',
  bytes: 'BYTEA',
  seqKey: 'BIGINT PRIMARY KEY',
  forUpdate: ' FOR UPDATE',
};
