import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from './migrations.js';
import { openSqliteStore, SQLITE_FILE_NAME } from './SqliteStore.js';
import { openTempSqliteStore } from './tempSqliteStore.js';
import { storeConformance } from './storeConformance.js';
import { makeAuditEvent } from './storeFixtures.js';

storeConformance('SQLite', () => openTempSqliteStore());

describe('SQLite store specifics', () => {
  it('creates a private database file in WAL mode with synchronous=FULL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sr-store-'));
    try {
      const store = await openSqliteStore(join(dir, 'data'));
      await store.appendAudit(makeAuditEvent());
      await store.close();
      expect(statSync(join(dir, 'data')).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, 'data', SQLITE_FILE_NAME)).mode & 0o777).toBe(0o600);
      const Database = (await import('better-sqlite3')).default;
      const db = new Database(join(dir, 'data', SQLITE_FILE_NAME));
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const versions = db.prepare('SELECT version FROM schema_migrations').all();
      expect(versions).toEqual(migrations.map((m) => ({ version: m.version })));
      // The audit tables refuse UPDATE and DELETE even to someone holding the database.
      expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
      expect(() => db.prepare("UPDATE audit_log SET activity = 'x'").run()).toThrow(/append-only/);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
