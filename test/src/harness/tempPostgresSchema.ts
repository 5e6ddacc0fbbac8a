import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { BrokerStoreOption } from './startBroker.js';

const DATABASE_URL = process.env['STRONGROOM_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TempPostgresSchema {
  /** The broker store option for a fresh schema of its own in the test database. */
  readonly store: BrokerStoreOption;
  /** Drops the schema and everything in it (after the brokers using it have stopped). */
  drop(): Promise<void>;
}

/**
 * A randomly named schema (`<prefix>_<12 hex>`) in the test PostgreSQL database (STRONGROOM_TEST_PG,
 * default the local `test` db), so tests sharing the server never see each other's rows.
 */
export function tempPostgresSchema(prefix: string): TempPostgresSchema {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  return {
    store: { kind: 'postgres', url: DATABASE_URL, schema },
    async drop() {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
