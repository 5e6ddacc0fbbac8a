import { BrokerError } from '../errors/BrokerError.js';
import { migrations } from './migrations.js';
import type { SqlDialect } from './SqlDialect.js';
import type { SqlRunner } from './SqlRunner.js';

/**
 * Applies every migration not yet recorded in `schema_migrations`, in order. The caller runs this
 * inside one transaction that holds the store's migration lock, so concurrent starts apply each
 * migration exactly once and a failed migration leaves nothing half-done. Returns what it applied.
 */
export async function applyMigrations(db: SqlRunner, dialect: SqlDialect, now: number): Promise<number[]> {
  await db.run(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
  );
  const rows = await db.all<{ version: number }>('SELECT version FROM schema_migrations');
  const done = new Set(rows.map((row) => row.version));
  const newest = Math.max(...migrations.map((m) => m.version));
  if ([...done].some((version) => version > newest)) {
    // An older broker must not write to a schema it does not understand.
    throw new BrokerError(
      'store_failed',
      `the database schema is newer than this broker (knows up to ${newest})`,
    );
  }
  const applied: number[] = [];
  for (const migration of migrations) {
    if (done.has(migration.version)) continue;
    for (const statement of migration.statements(dialect)) await db.run(statement);
    await db.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
      migration.version,
      migration.name,
      now,
    ]);
    applied.push(migration.version);
  }
  return applied;
}
