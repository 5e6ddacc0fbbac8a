import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore, type SqliteStore } from './SqliteStore.js';

export interface TempSqliteStore {
  store: SqliteStore;
  /** The data directory (deleted by `dispose`). */
  dir: string;
  /** Opens another store on the same file (another broker process); closed by `dispose`. */
  openAnother(): Promise<SqliteStore>;
  dispose(): Promise<void>;
}

/** A real SQLite store in a fresh temporary data directory, for tests and benchmarks. */
export async function openTempSqliteStore(prefix = 'sr-store-'): Promise<TempSqliteStore> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const opened: SqliteStore[] = [await openSqliteStore(dir)];
  return {
    store: opened[0] as SqliteStore,
    dir,
    openAnother: async () => {
      const other = await openSqliteStore(dir);
      opened.push(other);
      return other;
    },
    dispose: async () => {
      await Promise.all(opened.map((s) => s.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
