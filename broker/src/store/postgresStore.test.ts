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

  it('finds sessions by uid and device codes by user_code through the partial indexes', async () => {
    const schema = freshSchema();
    opened.push(await openPostgresStore({ connectionString: TEST_DATABASE_URL, schema, maxConnections: 1 }));
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      // On an empty table the planner prefers a scan; without that option it shows the index it can use.
      await client.query(`SET search_path TO ${schema}; SET enable_seqscan = off`);
      const plan = async (column: string): Promise<string> =>
        (
          await client.query<{ 'QUERY PLAN': string }>(
            `EXPLAIN SELECT * FROM oidc_payloads WHERE model = 'Session' AND ${column} = 'x' LIMIT 1`,
          )
        ).rows
          .map((row) => row['QUERY PLAN'])
          .join('\n');
      expect(await plan('uid')).toMatch(/using oidc_payloads_uid /);
      expect(await plan('user_code')).toMatch(/using oidc_payloads_user_code /);
      const { rows } = await client.query<{ indexdef: string }>(
        `SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname IN ('oidc_payloads_uid', 'oidc_payloads_user_code') ORDER BY indexname`,
        [schema],
      );
      expect(rows.map((r) => r.indexdef)).toEqual([
        expect.stringMatching(/WHERE \(uid IS NOT NULL\)$/),
        expect.stringMatching(/WHERE \(user_code IS NOT NULL\)$/),
      ]);
    } finally {
      await client.end();
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

// Scale-out: every instance's event streams wake when any instance commits user events.
describe('PostgreSQL commit signals (LISTEN/NOTIFY) between broker instances', () => {
  const disposers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const dispose of disposers.splice(0)) await dispose();
  });

  const signalled = (store: PostgresStore, channel: 'user_events' | 'admin_events') => {
    let count = 0;
    let wake: (() => void) | undefined;
    const ready = store.onCommitted(channel, () => {
      count++;
      wake?.();
    });
    return {
      ready,
      get count() {
        return count;
      },
      next: () =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no ${channel} signal`)), 10_000);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        }),
    };
  };

  it('wakes listeners on another instance, per channel, and not those of another schema', async () => {
    const a = await openTestPostgresStore();
    const other = await openTestPostgresStore();
    disposers.push(a.dispose, other.dispose);
    const b = await a.openAnother();
    const onB = signalled(b, 'user_events');
    const adminOnB = signalled(b, 'admin_events');
    const foreign = signalled(other.store, 'user_events');
    await Promise.all([onB.ready, adminOnB.ready, foreign.ready]);

    const woke = onB.next();
    await a.store.signalCommitted('user_events');
    await woke;
    expect(onB.count).toBe(1);
    // A signal that round-trips through the server is delivered in order: the admin one after
    // it proves the user_events one was not also sent to the other channel or schema.
    const adminWoke = adminOnB.next();
    await a.store.signalCommitted('admin_events');
    await adminWoke;
    expect(adminOnB.count).toBe(1);
    expect(onB.count).toBe(1);
    expect(foreign.count).toBe(0);
  });

  it('listens again after its connection is cut', async () => {
    const a = await openTestPostgresStore();
    disposers.push(a.dispose);
    const b = await a.openAnother();
    const onB = signalled(b, 'user_events');
    await onB.ready;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN strongroom_%' AND pid <> pg_backend_pid()",
      );
    } finally {
      await admin.end();
    }
    // Signals sent while it reconnects are lost (the streams' re-read covers them); keep sending
    // until one arrives on the new connection.
    const woke = onB.next();
    const sender = setInterval(() => void a.store.signalCommitted('user_events').catch(() => undefined), 200);
    try {
      await woke;
    } finally {
      clearInterval(sender);
    }
    expect(onB.count).toBeGreaterThan(0);
  });
});
