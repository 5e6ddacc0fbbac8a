import { spawn } from 'node:child_process';
import { fstatSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from './migrations.js';
import { openSqliteStore, SQLITE_FILE_NAME } from './SqliteStore.js';
import { openTempSqliteStore } from './tempSqliteStore.js';
import { storeConformance } from './storeConformance.js';
import { makeAuditEvent, makeUser } from './storeFixtures.js';

storeConformance('SQLite', () => openTempSqliteStore());

describe('SQLite store specifics', () => {
  it('creates a private database file in WAL mode', async () => {
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

  /**
   * COMMIT does not fsync (synchronous=NORMAL); the store fdatasyncs the WAL off the event loop and
   * answers nobody before that. A held sync shows what waits for it.
   */
  describe('the WAL sync before answering', () => {
    const withHeldSync = async (
      body: (t: {
        store: Awaited<ReturnType<typeof openSqliteStore>>;
        syncs: { fd: number; release: (error?: Error) => void }[];
        dir: string;
      }) => Promise<void>,
    ): Promise<void> => {
      const dir = mkdtempSync(join(tmpdir(), 'sr-store-'));
      const syncs: { fd: number; release: (error?: Error) => void }[] = [];
      let hold = false;
      const store = await openSqliteStore(dir, {
        syncWal: (fd) =>
          hold
            ? new Promise<void>((resolve, reject) => {
                syncs.push({ fd, release: (error) => (error ? reject(error) : resolve()) });
              })
            : Promise.resolve(),
      });
      hold = true;
      try {
        await body({ store, syncs, dir });
      } finally {
        for (const s of syncs) s.release();
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    };
    const release = (syncs: { release: (error?: Error) => void }[], i: number, error?: Error): void => {
      const sync = syncs[i];
      if (!sync) throw new Error(`no WAL sync #${i} was started`);
      sync.release(error);
    };
    const settled = async (p: Promise<unknown>): Promise<boolean> => {
      let done = false;
      p.then(
        () => (done = true),
        () => (done = true),
      );
      // Long enough for every statement and the COMMIT to have run.
      await new Promise((resolve) => setTimeout(resolve, 50));
      return done;
    };

    it('a transaction and a single-statement write are answered only after the WAL fdatasync', async () => {
      await withHeldSync(async ({ store, syncs, dir }) => {
        const audit = store.appendAudit(makeAuditEvent());
        expect(await settled(audit)).toBe(false);
        expect(syncs).toHaveLength(1);
        // The synced descriptor is the database's WAL file (same inode), not a copy or another file.
        expect(fstatSync(syncs[0]?.fd ?? -1).ino).toBe(statSync(join(dir, `${SQLITE_FILE_NAME}-wal`)).ino);
        // Committed but not durable: a reader waits too, and a write queues behind the sync in flight.
        const read = store.readAudit(0, 100);
        const ada = makeUser();
        const user = store.createUser(ada);
        expect(await settled(read)).toBe(false);
        expect(await settled(user)).toBe(false);
        release(syncs, 0);
        await audit;
        // The sync in flight began before the user's INSERT, so the user waits for a second one.
        expect(await settled(user)).toBe(false);
        expect(syncs).toHaveLength(2);
        release(syncs, 1);
        await expect(user).resolves.toMatchObject({ id: ada.id });
        expect((await read).length).toBe(1);
        // Nothing new committed: a read answers without another sync.
        expect(await store.getUser(ada.id)).toMatchObject({ id: ada.id });
        expect(syncs).toHaveLength(2);
      });
    });

    it('a failed WAL fdatasync fails its callers and every later call', async () => {
      await withHeldSync(async ({ store, syncs }) => {
        const audit = store.appendAudit(makeAuditEvent());
        expect(await settled(audit)).toBe(false);
        release(syncs, 0, new Error('EIO'));
        await expect(audit).rejects.toMatchObject({ code: 'store_failed' });
        // Whether that commit reached the disk is unknown, and a later fsync could succeed falsely.
        await expect(store.getUser('anyone')).rejects.toMatchObject({ code: 'store_failed' });
        await expect(store.appendAudit(makeAuditEvent())).rejects.toMatchObject({ code: 'store_failed' });
        await expect(store.createUser(makeUser())).rejects.toMatchObject({ code: 'store_failed' });
        expect(syncs).toHaveLength(1);
      });
    });
  });

  it('a process whose last work is closing the store (a broker command) ends normally once the checkpoint worker ran', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sr-store-'));
    try {
      // The worker is unref'd; closing must still wait for it, or Node ends the process with the
      // close unsettled (exit code 13) and whatever followed it never runs.
      const dist = (path: string) =>
        JSON.stringify(new URL(`../../dist/store/${path}`, import.meta.url).href);
      const source = `
        import { openSqliteStore } from ${dist('SqliteStore.js')};
        import { makeAuditEvent } from ${dist('storeFixtures.js')};
        const store = await openSqliteStore(${JSON.stringify(dir)});
        await Promise.all(Array.from({ length: 300 }, () => store.appendAudit(makeAuditEvent())));
        for (let i = 0; i < 500 && store.checkpointsRun === 0; i += 1) await new Promise((r) => setTimeout(r, 20));
        console.log('checkpoints', store.checkpointsRun);
        await store.close();
        console.log('closed');
      `;
      const child = spawn(process.execPath, ['--input-type=module', '-e', source], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code, out).toBe(0);
      expect(out).toMatch(/checkpoints [1-9]/);
      expect(out).toContain('closed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('runs WAL checkpoints on a worker thread, not inside a COMMIT on the event loop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sr-store-'));
    try {
      const store = await openSqliteStore(dir);
      const file = join(dir, SQLITE_FILE_NAME);
      // SQLite's own checkpoint waits for 10,000 WAL pages: until a checkpoint, the schema and
      // every row are in the WAL only.
      const before = statSync(file).size;
      await Promise.all(Array.from({ length: 300 }, () => store.appendAudit(makeAuditEvent())));
      for (let i = 0; i < 100 && store.checkpointsRun === 0; i += 1)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(store.checkpointsRun).toBeGreaterThan(0);
      expect(statSync(file).size).toBeGreaterThan(before);
      await store.close();
      const Database = (await import('better-sqlite3')).default;
      const db = new Database(file, { readonly: true });
      expect(db.prepare('SELECT count(*) AS n FROM audit_log').get()).toEqual({ n: 300 });
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds sessions by uid and device codes by user_code through the partial indexes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sr-store-'));
    try {
      const store = await openSqliteStore(dir);
      await store.close();
      const Database = (await import('better-sqlite3')).default;
      const db = new Database(join(dir, SQLITE_FILE_NAME), { readonly: true });
      // The store's own lookups (SqlStoreOps) plan onto the indexes that hold only non-NULL values.
      const plan = (sql: string): string =>
        db
          .prepare(`EXPLAIN QUERY PLAN ${sql}`)
          .all('Session', 'x')
          .map((row) => (row as { detail: string }).detail)
          .join('; ');
      expect(plan('SELECT * FROM oidc_payloads WHERE model = ? AND uid = ? LIMIT 1')).toMatch(
        /USING INDEX oidc_payloads_uid /,
      );
      expect(plan('SELECT * FROM oidc_payloads WHERE model = ? AND user_code = ? LIMIT 1')).toMatch(
        /USING INDEX oidc_payloads_user_code /,
      );
      const indexes = db
        .prepare(
          "SELECT sql FROM sqlite_master WHERE name IN ('oidc_payloads_uid', 'oidc_payloads_user_code') ORDER BY name",
        )
        .all();
      expect(indexes).toEqual([
        { sql: expect.stringMatching(/WHERE uid IS NOT NULL$/) },
        { sql: expect.stringMatching(/WHERE user_code IS NOT NULL$/) },
      ]);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
