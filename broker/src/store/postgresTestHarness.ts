import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgresStore, type PostgresStore } from './PostgresStore.js';

/** The test database (ARCHITECTURE.md; `.ci/run` makes sure it is up). */
export const TEST_DATABASE_URL =
  process.env['STRONGROOM_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh schema per test so parallel runs never collide; dropped afterwards. */
export async function openTestPostgresStore(): Promise<{
  store: PostgresStore;
  openAnother: () => Promise<PostgresStore>;
  dispose: () => Promise<void>;
}> {
  const schema = `sr_test_${randomBytes(6).toString('hex')}`;
  const open = () => openPostgresStore({ connectionString: TEST_DATABASE_URL, schema, maxConnections: 4 });
  const store = await open();
  const others: PostgresStore[] = [];
  return {
    store,
    openAnother: async () => {
      const other = await open();
      others.push(other);
      return other;
    },
    dispose: async () => {
      await Promise.all([store, ...others].map((s) => s.close()));
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
