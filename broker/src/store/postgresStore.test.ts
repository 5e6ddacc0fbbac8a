import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateSetting } from '../keys/loadOrCreateSetting.js';
import { openPostgresStore, type PostgresStore } from './PostgresStore.js';
import { openTestPostgresStore, TEST_DATABASE_URL } from './postgresTestHarness.js';
import { storeConformance } from './storeConformance.js';

storeConformance('PostgreSQL', openTestPostgresStore);

// Several broker instances (a deployment rolling out, or a test) may make their very first start
// at the same moment on an empty schema. Each must come up on the same schema and the same keys.
describe('PostgreSQL first start, concurrently on an empty schema', () => {
  const opened: PostgresStore[] = [];
  const schemas: string[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      for (const schema of schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await client.end();
    }
  });

  const freshSchema = () => {
    const schema = `sr_race_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    return schema;
  };

  it('creates the schema and applies migrations once, with no conflict', async () => {
    // Several rounds: the race (CREATE SCHEMA IF NOT EXISTS before the lock) lost most rounds.
    for (let round = 0; round < 5; round++) {
      const schema = freshSchema();
      const results = await Promise.allSettled(
        [0, 1, 2].map(() =>
          openPostgresStore({ connectionString: TEST_DATABASE_URL, schema, maxConnections: 2 }),
        ),
      );
      for (const result of results) if (result.status === 'fulfilled') opened.push(result.value);
      expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual([
        'ok',
        'ok',
        'ok',
      ]);
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        const { rows } = await client.query<{ version: number; n: string }>(
          `SELECT version, count(*) AS n FROM ${schema}.schema_migrations GROUP BY version`,
        );
        expect(rows.length).toBeGreaterThan(0);
        expect(rows.every((row) => Number(row.n) === 1)).toBe(true);
      } finally {
        await client.end();
      }
    }
  });

  it('lets concurrent instances agree on one created setting (the signing key path)', async () => {
    const schema = freshSchema();
    const stores = await Promise.all(
      [0, 1, 2].map(() =>
        openPostgresStore({ connectionString: TEST_DATABASE_URL, schema, maxConnections: 2 }),
      ),
    );
    opened.push(...stores);
    let created = 0;
    const values = await Promise.all(
      stores.map((store) =>
        loadOrCreateSetting(store, 'race.key', async () => ({
          id: ++created,
          k: randomBytes(8).toString('hex'),
        })),
      ),
    );
    expect(new Set(values.map((v) => JSON.stringify(v))).size).toBe(1);
    expect(await stores[0]?.getSetting('race.key')).toEqual(values[0]);
  });
});
